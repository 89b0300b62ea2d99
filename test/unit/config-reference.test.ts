import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA } from '../../shared/config.ts';
import { configReference } from '../../shared/config-reference.ts';

describe('docs/configuration.md', () => {
  it('lists every setting with its default and meaning (run npm run docs:config after changing a setting)', () => {
    const page = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(page).toBe(configReference());
    for (const name of Object.keys(CONFIG_SCHEMA.shape)) expect(page).toContain(`| \`${name}\` |`);
    expect(page).toContain('| `PORT` | `3000` |');
    expect(page).toContain('| `SMTP_URL` | unset |');
  });
});
