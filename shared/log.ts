// One pino root; children per module (`moduleLogger('api')`) and per job (`logger.child({ job, id })`).
// Logs leave the machine (collectors, tickets, screenshots), so keys and secrets never reach them: redacted paths for
// the fields that carry them, and the password of any URL written in a logged string masked.
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { loadConfig } from './config.ts';

export type { Logger };

function level(): string {
  try {
    return loadConfig().LOG_LEVEL;
  } catch {
    return 'info'; // the entry point reports the configuration error itself
  }
}

const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'key',
  'apiKey',
  'api_key',
  'keyHash',
  'key_hash',
  'secret',
  'password',
  'token',
  'x-api-key',
];

/**
 * Fields replaced by "[redacted]" wherever a request, its headers, a client, a recipient or a configuration object is
 * logged (pino's paths: a field at the top, one level down, and in request/response headers).
 */
export const REDACTED_PATHS: string[] = [
  ...SECRET_FIELDS.map((f) => `["${f}"]`),
  ...SECRET_FIELDS.map((f) => `*["${f}"]`),
  ...['req', 'res', 'request', 'response', 'err', 'error'].flatMap((o) =>
    SECRET_FIELDS.map((f) => `${o}.headers["${f}"]`),
  ),
  'SMTP_URL',
  '*.SMTP_URL',
];

const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:@/\s"']*):[^@\s"']*@/gi;

/** The string with the password of every URL in it masked (`postgres://user:***@host/db`). */
export function maskUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, '$1:***@');
}

function maskStrings(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskUrlPasswords(value);
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskStrings(v, depth - 1));
  if (value instanceof Error) return value; // pino's error serializer runs after this; its message is masked below
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskStrings(v, depth - 1)]));
}

/** A copy of the error (same class, same fields) with URL passwords masked in its message and stack. */
function maskedError(err: Error): Error {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(err) as object) as Error, err);
  copy.message = maskUrlPasswords(err.message);
  if (err.stack) copy.stack = maskUrlPasswords(err.stack);
  return copy;
}

/** The options every root logger of this project uses (exported so that tests build loggers that behave the same). */
export function loggerOptions(logLevel: string = level()): LoggerOptions {
  return {
    level: logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { log: (object) => maskStrings(object, 3) as Record<string, unknown> },
    hooks: {
      // The message itself (`log.info('connecting to %s', url)`) and a logged error's message and stack.
      logMethod(args, method) {
        const masked = args.map((a: unknown) => {
          if (typeof a === 'string') return maskUrlPasswords(a);
          if (a instanceof Error) return maskedError(a);
          if (a && typeof a === 'object' && 'err' in a && a.err instanceof Error)
            return { ...a, err: maskedError(a.err) };
          return a;
        });
        method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
}

/** A root logger writing to `destination` (stderr by default) with the project's level, redaction and masking. */
export function createRootLogger(destination?: DestinationStream, logLevel?: string): Logger {
  const options = loggerOptions(logLevel);
  if (destination) return pino(options, destination);
  // Readable output for people at a terminal, JSON lines for everything else (files, collectors, CI).
  // Logs go to stderr so that `--json` output on stdout stays machine-readable.
  if (process.stderr.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, destination: 2 } } });
  }
  return pino(options, pino.destination({ fd: 2, sync: false }));
}

export const rootLogger: Logger = createRootLogger();

export function moduleLogger(module: string): Logger {
  return rootLogger.child({ module });
}
