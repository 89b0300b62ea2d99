// The `ledger` program: every command group, registered on one commander program (main.ts parses; the CLI
// reference, docs/cli.md, is written from the same definitions).
import { Command } from 'commander';

type Group = { register(program: Command): void };
const GROUPS: Record<string, () => Promise<Group>> = {
  migrate: () => import('./commands/migrate.command.ts'),
  import: () => import('./commands/import.command.ts'),
  campaign: () => import('./commands/campaign.command.ts'),
  clients: () => import('./commands/clients.command.ts'),
  users: () => import('./commands/users.command.ts'),
  audit: () => import('./commands/audit.command.ts'),
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

/** The program with the group named by `first` (the command line's first word), or every group when it names none. */
export async function buildProgram(first?: string): Promise<Command> {
  const program = new Command('ledger')
    .description('electronic ledger of the university leaders’ employer-visit campaign (访企拓岗促就业专项行动)')
    .showHelpAfterError()
    .exitOverride();
  const chosen = first !== undefined && Object.hasOwn(GROUPS, first) ? [GROUPS[first]!] : Object.values(GROUPS);
  for (const group of await Promise.all(chosen.map((load) => load()))) group.register(program);
  return program;
}
