// The console's initial download: index.html, the entry chunk with every chunk it imports statically, and their CSS,
// read from the build's manifest, with the sizes the API serves them at (the .gz and .br Vite wrote beside them).
// Charts, the map and every page but the first are imported dynamically and not counted.
//
//   npx tsx console/scripts/initial-size.ts   (after npm run build:console) prints JSON
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}

export interface InitialDownload {
  files: string[];
  bytes: number;
  gzipBytes: number;
  brotliBytes: number;
}

/** The first page's files (`extra`: manifest keys of lazy chunks it also needs, e.g. the login page). */
export async function initialDownload(extra: string[] = []): Promise<InitialDownload> {
  const manifest = JSON.parse(await readFile(join(DIST, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const seen = new Set<string>();
  const walk = (key: string) => {
    if (seen.has(key) || !manifest[key]) return;
    seen.add(key);
    for (const k of manifest[key].imports ?? []) walk(k);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) walk(key);
  for (const key of extra) walk(key);
  const files = ['index.html', ...[...seen].flatMap((k) => [manifest[k]!.file, ...(manifest[k]!.css ?? [])])];
  const size = async (f: string) => (await stat(join(DIST, f))).size;
  let bytes = 0;
  let gzipBytes = 0;
  let brotliBytes = 0;
  for (const f of new Set(files)) {
    bytes += await size(f);
    gzipBytes += await size(`${f}.gz`);
    brotliBytes += await size(`${f}.br`);
  }
  return { files: [...new Set(files)], bytes, gzipBytes, brotliBytes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // The login page is the first page anyone sees: count its chunk too.
  console.log(JSON.stringify(await initialDownload(['src/pages/login/index.tsx']), null, 2));
}
