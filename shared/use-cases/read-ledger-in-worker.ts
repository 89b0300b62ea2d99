// Reading an upload off the API's event loop: a worker thread per file, with a time budget (terminated when over it)
// and a memory budget (V8's resourceLimits), so no spreadsheet, however built, stalls the answers to other requests.
import { Worker } from 'node:worker_threads';
import { LedgerFileError } from '../domain/visit-ledger/file-errors.ts';
import type { LedgerReadContext, LedgerRows } from './read-ledger-rows.ts';

export interface LedgerReadBudget {
  /** Wall-clock time for one file, worker start included. */
  timeoutMs: number;
  /** The worker's heap (old and young generations together). */
  memoryMb: number;
}

const TOO_SLOW = (ms: number) =>
  new LedgerFileError(
    'too-slow',
    `台账读取超过 ${Math.round(ms / 1000)} 秒仍未完成，已停止：请删去无关的工作表、格式和超长内容，或分成几个文件上交`,
    `reading the ledger took longer than ${ms} ms and was stopped: remove unrelated sheets and over-long cells, or split the file`,
  );
const TOO_COMPLEX = (mb: number) =>
  new LedgerFileError(
    'too-complex',
    `台账读取所需内存超过 ${mb} MB，已停止：请删去无关的工作表和超长内容，或分成几个文件上交`,
    `reading the ledger needed more than ${mb} MB of memory and was stopped: remove unrelated sheets and over-long cells, or split the file`,
  );

type Answer =
  | { ok: true; rows: LedgerRows }
  | { ok: false; fileError?: { code: LedgerFileError['code']; zh: string; en: string }; message?: string };

/** readLedgerRows in a worker thread: the same rows or the same LedgerFileError, or too-slow / too-complex. */
export function readLedgerRowsInWorker(
  bytes: Buffer,
  context: LedgerReadContext,
  budget: LedgerReadBudget,
): Promise<LedgerRows> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./read-ledger-rows.worker.mjs', import.meta.url), {
      workerData: { bytes, context },
      resourceLimits: {
        maxOldGenerationSizeMb: budget.memoryMb,
        maxYoungGenerationSizeMb: Math.max(8, Math.min(64, Math.floor(budget.memoryMb / 8))),
      },
      // The parent's flags (a loader, --inspect) are not the worker's business.
      execArgv: [],
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const settle = (err: Error | undefined, rows?: LedgerRows) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (err) reject(err);
      else resolve(rows!);
    };
    const timer = setTimeout(() => settle(TOO_SLOW(budget.timeoutMs)), budget.timeoutMs);
    worker.once('message', (answer: Answer) => {
      if (answer.ok) settle(undefined, answer.rows);
      else if (answer.fileError)
        settle(new LedgerFileError(answer.fileError.code, answer.fileError.zh, answer.fileError.en));
      else settle(new Error(`reading the ledger failed: ${answer.message}`));
    });
    worker.once('error', (err: NodeJS.ErrnoException) =>
      settle(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? TOO_COMPLEX(budget.memoryMb) : err),
    );
    worker.once('exit', (code) => settle(new Error(`the ledger reader stopped (exit code ${code}) without an answer`)));
  });
}
