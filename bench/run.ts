// `npm run bench -- [name]`: runs bench/<name>.bench.ts (all of them without a name). Each prints JSON lines
// {"metric", "value", "unit"} on stdout and appends its section to bench/RESULTS.md.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2).filter((a) => a !== '--');
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length) {
  process.stderr.write(`bench: no bench named ${unknown.join(', ')}: choose from ${available.join(', ')}\n`);
  process.exit(1);
}
for (const name of wanted.length ? wanted : available) {
  process.stderr.write(`bench: ${name}\n`);
  const mod = (await import(`./${name}.bench.ts`)) as { run(): Promise<void> };
  await mod.run();
}
process.exit(0);
