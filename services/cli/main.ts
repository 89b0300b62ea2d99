// `ledger`: one command line for operators. Each command group lives in ./commands/*.command.ts.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../shared/config.ts';
import { UnknownCampaignError } from '../../shared/use-cases/find-campaign.ts';
import { UserError } from './context.ts';

type Group = { register(program: Command): void };
// Command groups load on demand: `ledger import …` loads only the import group (and its libraries), which keeps each
// command's start-up short; help and unknown commands load them all.
const GROUPS: Record<string, () => Promise<Group>> = {
  migrate: () => import('./commands/migrate.command.ts'),
  import: () => import('./commands/import.command.ts'),
  campaign: () => import('./commands/campaign.command.ts'),
  clients: () => import('./commands/clients.command.ts'),
  users: () => import('./commands/users.command.ts'),
  serve: () => import('./commands/serve.command.ts'),
  dlq: () => import('./commands/dlq.command.ts'),
  employers: () => import('./commands/employers.command.ts'),
  rankings: () => import('./commands/rankings.command.ts'),
  plans: () => import('./commands/plans.command.ts'),
  recipients: () => import('./commands/recipients.command.ts'),
  notices: () => import('./commands/notices.command.ts'),
  demand: () => import('./commands/demand.command.ts'),
  summary: () => import('./commands/summary.command.ts'),
  visits: () => import('./commands/visits.command.ts'),
  demo: () => import('./commands/demo.command.ts'),
};

const program = new Command('ledger')
  .description('electronic ledger of the university leaders’ employer-visit campaign (访企拓岗促就业专项行动)')
  .showHelpAfterError()
  .exitOverride();

const first = process.argv[2];
const chosen = first !== undefined && Object.hasOwn(GROUPS, first) ? [GROUPS[first]!] : Object.values(GROUPS);
for (const group of await Promise.all(chosen.map((load) => load()))) group.register(program);

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
