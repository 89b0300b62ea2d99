// One pino root; children per module (`moduleLogger('api')`) and per job (`logger.child({ job, id })`).
import pino, { type Logger } from 'pino';
import { loadConfig } from './config.ts';

export type { Logger };

function level(): string {
  try {
    return loadConfig().LOG_LEVEL;
  } catch {
    return 'info'; // the entry point reports the configuration error itself
  }
}

function createRoot(): Logger {
  // Readable output for people at a terminal, JSON lines for everything else (files, collectors, CI).
  // Logs go to stderr so that `--json` output on stdout stays machine-readable.
  if (process.stderr.isTTY) {
    return pino({ level: level(), transport: { target: 'pino-pretty', options: { colorize: true, destination: 2 } } });
  }
  return pino({ level: level() }, pino.destination({ fd: 2, sync: false }));
}

export const rootLogger: Logger = createRoot();

export function moduleLogger(module: string): Logger {
  return rootLogger.child({ module });
}
