// The console's API types are generated from the API's own OpenAPI document: a route whose schema changed without
// `npm run console:api-types` fails here, before the console and the API drift apart.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypes } from '../../console/scripts/generate-api-types.ts';

describe('the console API types', () => {
  it('are what the API’s OpenAPI document declares (run npm run console:api-types when this fails)', async () => {
    expect(await readFile(API_TYPES_FILE, 'utf8')).toBe(await apiTypes());
  }, 60_000);
});
