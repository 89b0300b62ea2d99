// `ledger`: one command line for operators. Each command group lives in ./commands/*.command.ts.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../shared/config.ts';
import { UserError } from './context.ts';
import * as migrate from './commands/migrate.command.ts';
import * as serve from './commands/serve.command.ts';
import * as dlq from './commands/dlq.command.ts';
import * as importCmd from './commands/import.command.ts';
import * as campaign from './commands/campaign.command.ts';
import * as clients from './commands/clients.command.ts';
import * as employers from './commands/employers.command.ts';
import * as rankings from './commands/rankings.command.ts';
import * as plans from './commands/plans.command.ts';
import * as recipients from './commands/recipients.command.ts';
import * as notices from './commands/notices.command.ts';
import * as demo from './commands/demo.command.ts';

const program = new Command('ledger')
  .description('electronic ledger of the university leaders’ employer-visit campaign (访企拓岗促就业专项行动)')
  .showHelpAfterError()
  .exitOverride();

for (const group of [migrate, importCmd, campaign, clients, serve, dlq, employers, rankings, plans, recipients, notices, demo]) group.register(program);

function oneLine(err: unknown): string {
  if (err instanceof ConfigError) return err.message.replace(/\n\s*/g, ' ');
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`ledger: ${oneLine(err)}\n`);
    if (err instanceof UserError && err.details !== undefined) {
      process.stderr.write(JSON.stringify(err.details, null, 2) + '\n');
    }
    process.exitCode = err instanceof UserError || err instanceof ConfigError ? 1 : 2;
  }
}
