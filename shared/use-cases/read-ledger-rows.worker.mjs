// The worker thread of read-ledger-in-worker.ts: TypeScript through tsx (a worker does not inherit the loader of the
// thread that starts it), one file read, its rows or its refusal posted back.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { readLedgerRows } = await import('./read-ledger-rows.ts');
const { LedgerFileError } = await import('../domain/visit-ledger/file-errors.ts');
try {
  const rows = await readLedgerRows(Buffer.from(workerData.bytes), workerData.context);
  parentPort.postMessage({ ok: true, rows });
} catch (err) {
  parentPort.postMessage(
    err instanceof LedgerFileError
      ? { ok: false, fileError: { code: err.code, zh: err.zh, en: err.en } }
      : { ok: false, message: err instanceof Error ? err.message : String(err) },
  );
}
