// What every command needs: validated config, a database, and a consistent way to print results.
import os from 'node:os';
import { loadConfig, type Config } from '../../shared/config.ts';
import { operatorActor, type AuditActor } from '../../shared/use-cases/audit.ts';
import { createDb, dbOptionsFor, type Db } from '../../shared/db/database.ts';

export interface CommandContext {
  config: Config;
  db: Db;
}

/** Opens a database for the command and closes it afterwards, whatever happens. */
export async function withDb<T>(fn: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Commands run long statements (imports, rebuilds, rankings over every visit): the background timeouts.
  const db = createDb(config.DATABASE_URL, {
    poolSize: 4,
    applicationName: 'ledger-cli',
    ...dbOptionsFor(config, 'background'),
  });
  try {
    return await fn({ config, db });
  } finally {
    await db.destroy();
  }
}

/** A failure the user can fix: printed as one line, exit status 1. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Prints `value` as JSON when --json was given, else the human text. */
export function output(json: boolean | undefined, value: unknown, human: string | (() => string)): void {
  if (json) process.stdout.write(JSON.stringify(value) + '\n');
  else process.stdout.write((typeof human === 'function' ? human() : human) + '\n');
}

/** The audit trail's actor of a command: the system, named after the operator's login (the trail records who ran it). */
export function cliActor(): AuditActor {
  let name: string | undefined;
  try {
    name = os.userInfo().username;
  } catch {
    name = undefined; // a uid without a passwd entry (containers)
  }
  return operatorActor(name);
}
