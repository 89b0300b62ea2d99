// Builds the console into console/dist, served by the API under /console/ (services/api/console.ts). In development,
// `npx vite --config console/vite.config.ts` serves it with the API's routes proxied to LEDGER_API (default :3000).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, gzip } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const api = process.env.LEDGER_API ?? 'http://127.0.0.1:3000';

/**
 * Writes a .gz and a .br beside every text file of the build, which the API serves as they are (preCompressed) when
 * the browser accepts them: the first page's download is measured compressed (bench and test/browser).
 */
function precompress(outDir: string): Plugin {
  const TEXT = /\.(js|css|html|json|svg|txt)$/;
  return {
    name: 'ledger-precompress',
    apply: 'build',
    async closeBundle() {
      const files = (await readdir(outDir, { recursive: true })).filter((f) => TEXT.test(f));
      await Promise.all(
        files.map(async (f) => {
          const body = await readFile(join(outDir, f));
          await writeFile(join(outDir, `${f}.gz`), await promisify(gzip)(body, { level: 9 }));
          await writeFile(join(outDir, `${f}.br`), await promisify(brotliCompress)(body));
        }),
      );
    },
  };
}

const outDir = join(import.meta.dirname, 'dist');

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react(), precompress(outDir)],
  build: {
    outDir,
    // .vite/manifest.json: which chunks the first page imports statically (the initial download) and which on demand.
    manifest: true,
    emptyOutDir: true,
    // The map and the chart library are loaded on demand; antd's first page is the largest chunk.
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
  server: { proxy: { '/v1': api, '/admin': api } },
});
