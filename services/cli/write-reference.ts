// `npm run docs:cli` / `npm run docs:config`: rewrite docs/cli.md from the commander definitions, or
// docs/configuration.md from the configuration schema.
import { writeFileSync } from 'node:fs';
import { configReference } from '../../shared/config-reference.ts';
import { buildProgram } from './program.ts';
import { cliReference } from './reference.ts';

const page = process.argv[2];
if (page === 'config') writeFileSync(new URL('../../docs/configuration.md', import.meta.url), configReference());
else writeFileSync(new URL('../../docs/cli.md', import.meta.url), cliReference(await buildProgram()));
