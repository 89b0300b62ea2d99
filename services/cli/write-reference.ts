// `npm run docs:cli`: rewrites docs/cli.md from the commander definitions.
import { writeFileSync } from 'node:fs';
import { buildProgram } from './program.ts';
import { cliReference } from './reference.ts';

writeFileSync(new URL('../../docs/cli.md', import.meta.url), cliReference(await buildProgram()));
