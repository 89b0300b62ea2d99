// `ledger clients create|list|revoke`: API keys. A key is `lk_` + 32 random bytes (base64url), shown once;
// only its sha256 hex is stored, so a lost key cannot be recovered, only replaced.
import type { Command } from 'commander';
import { hashApiKey, newApiKey } from '../../../shared/domain/api-key.ts';
import { formatScope, type ClientScope } from '../../../shared/domain/scope.ts';
import { idArg, SCOPE_HELP, scopeArg } from '../args.ts';
import { cliActor, output, UserError, withDb } from '../context.ts';
import { insertKeyClientAudited, revokeKeyClientsAudited } from '../../../shared/use-cases/operations.ts';
import { listApiClients } from '../../../shared/use-cases/api-clients.ts';
import { provinceExists, universityExists } from '../../../shared/use-cases/reference-data.ts';

export function register(program: Command): void {
  const clients = program.command('clients').description('API clients and their keys');

  clients
    .command('create')
    .description('create an API client and print its key (shown once; only a hash is stored)')
    .requiredOption('--name <name>', 'who uses the key, e.g. the submitting system')
    .requiredOption('--scope <scope>', SCOPE_HELP, scopeArg)
    .option('--json', 'print {"name", "scope", "key"}')
    .action(async (opts: { name: string; scope: ClientScope; json?: boolean }) => {
      const name = opts.name.trim();
      if (!name) throw new UserError('--name must not be empty: name the system that will use the key');
      const scope = opts.scope;
      await withDb(async ({ db }) => {
        if (scope.kind === 'province' && !(await provinceExists(db, scope.provinceCode))) {
          throw new UserError(
            `--scope ${formatScope(scope)}: ${scope.provinceCode} is not one of the 31 province codes or 660000 (新疆生产建设兵团, alias bingtuan) (e.g. 110000 北京市, 440000 广东省)`,
          );
        }
        if (scope.kind === 'university' && !(await universityExists(db, scope.universityCode))) {
          // Allowed (keys may be handed out before the import), but events for it answer 422 until it is imported.
          process.stderr.write(
            `warning: university ${scope.universityCode} is not imported yet; its events are refused until \`ledger import universities\` adds it\n`,
          );
        }
        const key = newApiKey();
        const id = await insertKeyClientAudited(
          db,
          { name, scope: formatScope(scope), keyHash: hashApiKey(key) },
          cliActor(),
        );
        output(
          opts.json,
          { id, name, scope: formatScope(scope), key },
          `client ${id} ${name} (${formatScope(scope)})\nkey (shown once, store it now): ${key}`,
        );
      });
    });

  clients
    .command('list')
    .description('list API clients (never their keys)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDb(async ({ db }) => {
        const rows = await listApiClients(db);
        output(
          opts.json,
          rows.map((r) => ({
            id: r.id,
            name: r.name,
            scope: r.scope,
            createdAt: r.createdAt.toISOString(),
            revokedAt: r.revokedAt?.toISOString() ?? null,
          })),
          () =>
            rows.length === 0
              ? 'no API clients: create one with `ledger clients create --name N --scope S`'
              : rows
                  .map(
                    (r) =>
                      `${r.id}\t${r.name}\t${r.scope}\t${r.createdAt.toISOString()}${r.revokedAt ? `\trevoked ${r.revokedAt.toISOString()}` : ''}`,
                  )
                  .join('\n'),
        );
      });
    });

  clients
    .command('revoke')
    .description(
      'revoke keys: one client by --id, or every active client with --name (takes effect within API_KEY_CACHE_SECONDS)',
    )
    .option('--name <name>', 'client name')
    .option('--id <id>', 'client id (see `ledger clients list`)', idArg('client', 'ledger clients list'))
    .option('--json', 'print JSON')
    .action(async (opts: { name?: string; id?: number; json?: boolean }) => {
      if ((opts.name === undefined) === (opts.id === undefined))
        throw new UserError('give exactly one of --name N or --id ID (see `ledger clients list`)');
      const by = opts.id !== undefined ? { id: opts.id } : { name: opts.name! };
      await withDb(async ({ db }) => {
        const revoked = await revokeKeyClientsAudited(db, by, cliActor());
        if (revoked.length === 0) {
          throw new UserError(
            `no active client ${'id' in by ? `with id ${by.id}` : `named ${JSON.stringify(by.name)}`}: see \`ledger clients list\``,
          );
        }
        output(opts.json, { revoked }, `revoked client(s) ${revoked.join(', ')}`);
      });
    });
}
