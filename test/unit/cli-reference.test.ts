import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../services/cli/program.ts';
import { cliReference } from '../../services/cli/reference.ts';

describe('docs/cli.md', () => {
  it('is what the commander definitions say (run npm run docs:cli after changing a command)', async () => {
    const program = await buildProgram();
    const page = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    expect(page).toBe(cliReference(program));
    for (const group of program.commands) expect(page).toContain(`## \`ledger ${group.name()}`);
  });
});
