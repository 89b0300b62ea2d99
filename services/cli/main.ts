// `ledger`: one command line for operators. Each command group lives in ./commands/*.command.ts.
import { CommanderError } from 'commander';
import { ConfigError } from '../../shared/config.ts';
import { UnknownCampaignError } from '../../shared/use-cases/find-campaign.ts';
import { UserError } from './context.ts';
import { buildProgram } from './program.ts';

// Command groups load on demand: `ledger import …` loads only the import group (and its libraries), which keeps each
// command's start-up short; help and unknown commands load them all.
const program = await buildProgram(process.argv[2]);

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
    // 1: the user can fix it (the message says how); 2: something else failed.
    const fixable = err instanceof UserError || err instanceof ConfigError || err instanceof UnknownCampaignError;
    process.exitCode = fixable ? 1 : 2;
  }
}
