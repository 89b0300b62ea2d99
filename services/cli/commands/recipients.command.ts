// `ledger recipients add | list | remove`: who receives the notices of a scope (e-mail, or a signed webhook).
import { InvalidArgumentError, type Command } from 'commander';
import type { WebhookFormat } from '../../../shared/db/tables/notices.table.ts';
import { listProvinces } from '../../../shared/repositories/measures.repository.ts';
import { addRecipient, listRecipients, removeRecipient, type Recipient } from '../../../shared/repositories/recipient.repository.ts';
import { output, UserError, withDb } from '../context.ts';

const FORMATS: readonly WebhookFormat[] = ['json', 'wecom', 'dingtalk'];
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

function scopeArg(value: string): string {
  if (value === 'national' || /^province:\d{6}$/.test(value)) return value;
  throw new InvalidArgumentError(`"${value}" is not a notice scope: national or province:CODE (e.g. province:440000)`);
}

function formatArg(value: string): WebhookFormat {
  if ((FORMATS as readonly string[]).includes(value)) return value as WebhookFormat;
  throw new InvalidArgumentError(`"${value}" is not a webhook format: json, wecom or dingtalk`);
}

/** What `list` shows: the secret only as whether there is one. */
function publicView(r: Recipient) {
  return { id: r.id, scope: r.scope, kind: r.kind, address: r.address, format: r.format, hasSecret: r.secret !== null, createdAt: r.createdAt, removedAt: r.removedAt };
}

interface AddOptions {
  scope: string;
  email?: string;
  webhook?: string;
  secret?: string;
  format?: WebhookFormat;
  json?: boolean;
}

export function register(program: Command): void {
  const recipients = program.command('recipients').description('who receives the notices (定期通报): e-mail addresses and webhooks, per scope');

  recipients
    .command('add')
    .description('add a recipient of the notices of a scope (adding the same one again updates its secret and format)')
    .requiredOption('--scope <scope>', 'national or province:CODE', scopeArg)
    .option('--email <address>', 'send the notices by e-mail (SMTP_URL) to this address')
    .option('--webhook <url>', 'POST the notices to this URL, signed with --secret (headers X-Ledger-Timestamp, X-Ledger-Signature)')
    .option('--secret <secret>', 'webhook signing secret (required for --format json; for dingtalk: the robot\'s 加签 secret)')
    .option('--format <format>', 'webhook body: json (default), wecom or dingtalk (their group robots\' markdown message)', formatArg)
    .option('--json', 'print JSON')
    .action(async (opts: AddOptions) => {
      if (Boolean(opts.email) === Boolean(opts.webhook)) throw new UserError('give exactly one of --email ADDRESS or --webhook URL');
      if (opts.email && !EMAIL.test(opts.email)) throw new UserError(`--email ${opts.email} is not an e-mail address: write it like name@example.org`);
      if (opts.email && (opts.secret || opts.format)) throw new UserError('--secret and --format are for webhooks: leave them out with --email');
      const format = opts.format ?? 'json';
      if (opts.webhook) {
        let url: URL;
        try {
          url = new URL(opts.webhook);
        } catch {
          throw new UserError(`--webhook ${opts.webhook} is not a URL: write it like https://example.org/hooks/ledger`);
        }
        if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UserError(`--webhook ${opts.webhook} is not an http(s) URL`);
        if (format === 'json' && !opts.secret) throw new UserError('a json webhook needs --secret: receivers verify X-Ledger-Signature with it');
      }
      await withDb(async ({ db }) => {
        if (opts.scope !== 'national') {
          const code = opts.scope.slice('province:'.length);
          const known = (await listProvinces(db)).some((p) => p.code === code);
          if (!known) throw new UserError(`no province ${code}: use a 6-digit GB/T 2260 province code such as 440000`);
        }
        const { created, recipient } = await addRecipient(db, {
          scope: opts.scope,
          kind: opts.email ? 'email' : 'webhook',
          address: (opts.email ?? opts.webhook)!,
          secret: opts.secret ?? null,
          format: opts.webhook ? format : null,
        });
        output(opts.json, { created, ...publicView(recipient) }, `${created ? 'added' : 'updated'} recipient ${recipient.id}: ${recipient.scope} ${recipient.kind} ${recipient.address}${recipient.format ? ` (${recipient.format})` : ''}`);
      });
    });

  recipients
    .command('list')
    .description('list recipients (secrets are never printed)')
    .option('--scope <scope>', 'only this scope', scopeArg)
    .option('--all', 'include removed ones')
    .option('--json', 'print JSON')
    .action(async (opts: { scope?: string; all?: boolean; json?: boolean }) => {
      await withDb(async ({ db }) => {
        const rows = (await listRecipients(db, { scope: opts.scope, includeRemoved: opts.all })).map(publicView);
        output(opts.json, rows, () =>
          rows.length === 0
            ? 'no recipients: add one with `ledger recipients add`'
            : rows.map((r) => `${r.id}\t${r.scope}\t${r.kind}\t${r.address}${r.format ? `\t${r.format}` : ''}${r.hasSecret ? '\tsigned' : ''}${r.removedAt ? '\tremoved' : ''}`).join('\n'),
        );
      });
    });

  recipients
    .command('remove')
    .description('stop sending to a recipient (its past deliveries are kept)')
    .requiredOption('--id <id>', 'recipient id (see `ledger recipients list`)')
    .option('--json', 'print JSON')
    .action(async (opts: { id: string; json?: boolean }) => {
      const id = Number(opts.id);
      if (!Number.isSafeInteger(id) || id <= 0) throw new UserError(`--id ${opts.id} is not a recipient id: see \`ledger recipients list\``);
      await withDb(async ({ db }) => {
        if (!(await removeRecipient(db, id))) throw new UserError(`no active recipient ${id}: see \`ledger recipients list\``);
        output(opts.json, { removed: id }, `removed recipient ${id}`);
      });
    });
}
