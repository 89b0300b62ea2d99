// `ledger recipients add | list | remove`: who receives the notices of a scope (e-mail, or a signed webhook).
// Secrets stay out of sight: a signing secret can come from the environment or stdin instead of the command line
// (where `ps` and shell history show it), and what the commands print masks the tokens inside robot URLs (WeCom's
// `key=`, DingTalk's `access_token=`, Feishu's hook path), which are as good as the secret to whoever reads them.
import { InvalidArgumentError, type Command } from 'commander';
import type { WebhookFormat } from '../../../shared/db/tables/notices.table.ts';
import { maskWebhookUrl } from '../../../shared/domain/notices/webhook-address.ts';
import { idArg, noticeScopeArg } from '../args.ts';
import { cliActor, output, UserError, withDb } from '../context.ts';
import {
  addRecipientAudited,
  removeRecipientAudited,
  listRecipients,
  type Recipient,
} from '../../../shared/use-cases/operations.ts';
import { provinceExists } from '../../../shared/use-cases/reference-data.ts';

const FORMATS: readonly WebhookFormat[] = ['json', 'wecom', 'dingtalk'];
const EMAIL = /^[^\s@<>]+@[^\s<>@][^\s.<>@]*\.[^\s<>@]+$/;

function formatArg(value: string): WebhookFormat {
  if ((FORMATS as readonly string[]).includes(value)) return value as WebhookFormat;
  throw new InvalidArgumentError(`"${value}" is not a webhook format: json, wecom or dingtalk`);
}

// The masking rules live with the notices' domain, shared with the console (GET /v1/admin/recipients).
export { maskWebhookUrl };

/** What the commands show: the secret only as whether there is one, a webhook's tokens masked. */
function publicView(r: Recipient) {
  const address = r.kind === 'webhook' ? maskWebhookUrl(r.address) : r.address;
  return {
    id: r.id,
    scope: r.scope,
    kind: r.kind,
    address,
    format: r.format,
    hasSecret: r.secret !== null,
    createdAt: r.createdAt,
    removedAt: r.removedAt,
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The signing secret from exactly one of --secret, --secret-env VAR, --secret-stdin; undefined when none is given. */
async function secretOf(opts: AddOptions): Promise<string | undefined> {
  const given = [opts.secret !== undefined, opts.secretEnv !== undefined, Boolean(opts.secretStdin)].filter(
    Boolean,
  ).length;
  if (given > 1) throw new UserError('give the secret once: --secret-env VAR, --secret-stdin or --secret');
  if (opts.secretEnv !== undefined) {
    const value = process.env[opts.secretEnv];
    if (!value)
      throw new UserError(
        `--secret-env ${opts.secretEnv}: that environment variable is not set or empty: export it before running the command`,
      );
    return value;
  }
  if (opts.secretStdin) {
    const value = (await readStdin()).replace(/\r?\n$/, '');
    if (!value)
      throw new UserError(
        '--secret-stdin read nothing: pipe the secret in, e.g. ledger recipients add ... --secret-stdin < secret.txt',
      );
    return value;
  }
  if (opts.secret !== undefined) {
    process.stderr.write(
      'warning: --secret is visible to other users of this machine (ps, shell history): prefer --secret-env VAR or --secret-stdin\n',
    );
  }
  return opts.secret;
}

interface AddOptions {
  scope: string;
  email?: string;
  webhook?: string;
  secret?: string;
  secretEnv?: string;
  secretStdin?: boolean;
  format?: WebhookFormat;
  json?: boolean;
}

export function register(program: Command): void {
  const recipients = program
    .command('recipients')
    .description('who receives the notices (定期通报): e-mail addresses and webhooks, per scope');

  recipients
    .command('add')
    .description('add a recipient of the notices of a scope (adding the same one again updates its secret and format)')
    .requiredOption(
      '--scope <scope>',
      'national, central (部属 and 部省合建), province:CODE or bingtuan (= province:660000)',
      noticeScopeArg,
    )
    .option('--email <address>', 'send the notices by e-mail (SMTP_URL) to this address')
    .option(
      '--webhook <url>',
      'POST the notices to this URL, signed with the secret (headers X-Ledger-Timestamp, X-Ledger-Signature)',
    )
    .option(
      '--secret-env <var>',
      "read the webhook signing secret from this environment variable (required for --format json; for dingtalk: the robot's 加签 secret)",
    )
    .option('--secret-stdin', 'read the webhook signing secret from stdin (one line)')
    .option(
      '--secret <secret>',
      'the webhook signing secret on the command line (visible in ps and shell history: prefer --secret-env or --secret-stdin)',
    )
    .option(
      '--format <format>',
      "webhook body: json (default), wecom or dingtalk (their group robots' markdown message)",
      formatArg,
    )
    .option('--json', 'print JSON')
    .action(async (opts: AddOptions) => {
      if (Boolean(opts.email) === Boolean(opts.webhook))
        throw new UserError('give exactly one of --email ADDRESS or --webhook URL');
      if (opts.email && !EMAIL.test(opts.email))
        throw new UserError(`--email ${opts.email} is not an e-mail address: write it like name@example.org`);
      if (
        opts.email &&
        (opts.secret !== undefined || opts.secretEnv !== undefined || opts.secretStdin || opts.format)
      ) {
        throw new UserError(
          '--secret, --secret-env, --secret-stdin and --format are for webhooks: leave them out with --email',
        );
      }
      const secret = await secretOf(opts);
      const format = opts.format ?? 'json';
      if (opts.webhook) {
        let url: URL;
        try {
          url = new URL(opts.webhook);
        } catch {
          throw new UserError(
            `--webhook ${maskWebhookUrl(opts.webhook)} is not a URL: write it like https://example.org/hooks/ledger`,
          );
        }
        if (url.protocol !== 'https:' && url.protocol !== 'http:')
          throw new UserError(`--webhook ${maskWebhookUrl(opts.webhook)} is not an http(s) URL`);
        if (format === 'json' && !secret)
          throw new UserError(
            'a json webhook needs --secret-env VAR or --secret-stdin (or --secret): receivers verify X-Ledger-Signature with it',
          );
      }
      await withDb(async ({ db }) => {
        if (opts.scope.startsWith('province:')) {
          const code = opts.scope.slice('province:'.length);
          const known = await provinceExists(db, code);
          if (!known) throw new UserError(`no province ${code}: use a 6-digit GB/T 2260 province code such as 440000`);
        }
        const { created, recipient } = await addRecipientAudited(
          db,
          {
            scope: opts.scope,
            kind: opts.email ? 'email' : 'webhook',
            address: (opts.email ?? opts.webhook)!,
            secret: secret ?? null,
            format: opts.webhook ? format : null,
          },
          cliActor(),
        );
        const view = publicView(recipient);
        output(
          opts.json,
          { created, ...view },
          `${created ? 'added' : 'updated'} recipient ${view.id}: ${view.scope} ${view.kind} ${view.address}${view.format ? ` (${view.format})` : ''}`,
        );
      });
    });

  recipients
    .command('list')
    .description('list recipients (secrets are never printed; tokens inside webhook URLs are masked)')
    .option('--scope <scope>', 'only this scope', noticeScopeArg)
    .option('--all', 'include removed ones')
    .option('--json', 'print JSON')
    .action(async (opts: { scope?: string; all?: boolean; json?: boolean }) => {
      await withDb(async ({ db }) => {
        const rows = (await listRecipients(db, { scope: opts.scope, includeRemoved: opts.all })).map(publicView);
        output(opts.json, rows, () =>
          rows.length === 0
            ? 'no recipients: add one with `ledger recipients add`'
            : rows
                .map(
                  (r) =>
                    `${r.id}\t${r.scope}\t${r.kind}\t${r.address}${r.format ? `\t${r.format}` : ''}${r.hasSecret ? '\tsigned' : ''}${r.removedAt ? '\tremoved' : ''}`,
                )
                .join('\n'),
        );
      });
    });

  recipients
    .command('remove')
    .description('stop sending to a recipient (its past deliveries are kept)')
    .requiredOption(
      '--id <id>',
      'recipient id (see `ledger recipients list`)',
      idArg('recipient', 'ledger recipients list'),
    )
    .option('--json', 'print JSON')
    .action(async (opts: { id: number; json?: boolean }) => {
      const { id } = opts;
      await withDb(async ({ db }) => {
        if (!(await removeRecipientAudited(db, id, cliActor())))
          throw new UserError(`no active recipient ${id}: see \`ledger recipients list\``);
        output(opts.json, { removed: id }, `removed recipient ${id}`);
      });
    });
}
