// What the console's operations page does (docs/console-api.md, admin only), by the same rules as the commands:
// API keys (`ledger clients`), notice recipients (`ledger recipients`, webhook tokens masked), dead letters
// (`ledger dlq`), resending a notice (`ledger notices resend`). Queueing is the caller's: shared/ imports no producer,
// so these return the ids to queue, and the database is always written first (the sweepers find anything not queued).
import type { Db, Executor } from '../db/database.ts';
import type { WebhookFormat } from '../db/tables/notices.table.ts';
import { hashApiKey, newApiKey } from '../domain/api-key.ts';
import { lookup } from 'node:dns/promises';
import { isIPv4, isIPv6, isPublicAddress } from '../domain/notices/public-address.ts';
import { maskWebhookUrl } from '../domain/notices/webhook-address.ts';
import { CLIENT_SCOPES_TEXT, formatScope, parseNoticeScope, parseScope, provinceOfScope } from '../domain/scope.ts';
import {
  insertApiClient,
  listApiClients,
  provinceExists,
  revokeApiClients,
} from '../repositories/api-client.repository.ts';
import { listDeadLetters, markDeadLettersReplayed, type DeadLetter } from '../repositories/dead-letter.repository.ts';
import { createDeliveries, ensureDelivery, resetForResend } from '../repositories/delivery.repository.ts';
import { resetRejectedInboxRows } from '../repositories/inbox-processing.repository.ts';
import { getNotice } from '../repositories/notice.repository.ts';
import { audited, recordAudit, type AuditActor } from './audit.ts';
import {
  addRecipient,
  getRecipient,
  listRecipients,
  removeRecipient,
  type Recipient,
} from '../repositories/recipient.repository.ts';

/** A refused operation: `status` says how (400 bad input at `field`, 404 unknown, 409 state), the message what to do. */
export class OperationError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'OperationError';
  }
}

// ── API keys ─────────────────────────────────────────────────────────────────────────────────────────────────────

export interface KeyClient {
  id: number;
  name: string;
  scope: string;
  createdAt: string;
  revokedAt: string | null;
}

export async function listKeyClients(db: Db): Promise<KeyClient[]> {
  return (await listApiClients(db)).map((c) => ({
    id: c.id,
    name: c.name,
    scope: c.scope,
    createdAt: c.createdAt.toISOString(),
    revokedAt: c.revokedAt?.toISOString() ?? null,
  }));
}

/** Makes a key for the scope; the key is returned this once, only its hash is stored. */
export async function createKeyClient(
  db: Db,
  input: { name: string; scope: string },
  actor: AuditActor,
): Promise<{ id: number; name: string; scope: string; key: string }> {
  const name = input.name.trim();
  if (!name || name.length > 200) throw new OperationError(400, 'name must be 1-200 characters', 'name');
  const scope = parseScope(input.scope);
  if (!scope) throw new OperationError(400, `scope must be ${CLIENT_SCOPES_TEXT}`, 'scope');
  if (scope.kind === 'province' && !(await provinceExists(db, scope.provinceCode)))
    throw new OperationError(400, `${scope.provinceCode} is not a province code (e.g. 440000)`, 'scope');
  const key = newApiKey();
  const id = await audited(
    db,
    (trx) => insertApiClient(trx as Db, { name, scope: formatScope(scope), keyHash: hashApiKey(key) }),
    (made) => keyCreated(actor, made, name, formatScope(scope)),
  );
  return { id, name, scope: formatScope(scope), key };
}

/** The trail's entry for a new key: its name and scope, never the key or its hash. */
export const keyCreated = (actor: AuditActor, id: number, name: string, scope: string) => ({
  actor,
  action: 'clients.create',
  target: `client:${id}`,
  after: { name, scope },
  result: 'ok' as const,
});

/** The trail's entries for revoked keys. */
export const keyRevoked = (actor: AuditActor, id: number) => ({
  actor,
  action: 'clients.revoke',
  target: `client:${id}`,
  result: 'ok' as const,
});

/** Stores a new key's client (by its hash) and records it; for `ledger clients create`, which checks its own way. */
export function insertKeyClientAudited(
  db: Db,
  client: { name: string; scope: string; keyHash: string },
  actor: AuditActor,
): Promise<number> {
  return audited(
    db,
    (trx) => insertApiClient(trx as Db, client),
    (id) => keyCreated(actor, id, client.name, client.scope),
  );
}

/** Revokes the active key clients by id or name and records each; the ids revoked. */
export function revokeKeyClientsAudited(
  db: Db,
  by: { id: number } | { name: string },
  actor: AuditActor,
): Promise<number[]> {
  return audited(
    db,
    (trx) => revokeApiClients(trx as Db, by),
    (ids) => ids.map((id) => keyRevoked(actor, id)),
  );
}

/** Revokes one key's client (never a person's: those are disabled as users). */
export async function revokeKeyClient(
  db: Db,
  id: number,
  actor: AuditActor,
): Promise<{ id: number; revokedAt: string }> {
  // a client revoked already keeps its date (and nothing is recorded)
  await audited(
    db,
    (trx) => revokeApiClients(trx as Db, { id }),
    (ids) => (ids.length ? keyRevoked(actor, id) : null),
  );
  const client = (await listApiClients(db)).find((c) => c.id === id);
  if (!client?.revokedAt) throw new OperationError(404, `no API client ${id}: see GET /v1/admin/clients`);
  return { id, revokedAt: client.revokedAt.toISOString() };
}

// ── Notice recipients ────────────────────────────────────────────────────────────────────────────────────────────

export interface RecipientView {
  id: number;
  scope: string;
  kind: Recipient['kind'];
  address: string;
  format: WebhookFormat | null;
  hasSecret: boolean;
  createdAt: string;
  removedAt: string | null;
}

/** A recipient as people may see it: the secret only as whether there is one, a webhook's tokens masked. */
export const recipientView = (r: Recipient): RecipientView => ({
  id: r.id,
  scope: r.scope,
  kind: r.kind,
  address: r.kind === 'webhook' ? maskWebhookUrl(r.address) : r.address,
  format: r.format,
  hasSecret: r.secret !== null,
  createdAt: r.createdAt.toISOString(),
  removedAt: r.removedAt?.toISOString() ?? null,
});

export async function listRecipientViews(
  db: Db,
  options: { scope?: string; includeRemoved?: boolean },
): Promise<RecipientView[]> {
  return (await listRecipients(db, options)).map(recipientView);
}

const EMAIL = /^[^\s@<>]+@[^\s<>@][^\s.<>@]*\.[^\s<>@]+$/;
export type NewRecipientInput =
  { scope: string; email: string } | { scope: string; webhook: string; secret?: string; format?: WebhookFormat };

/** Where a webhook may point: anywhere (the operator at the host), or public addresses and allow-listed hosts only. */
export interface WebhookTargets {
  publicOnly: boolean;
  /** Hosts allowed whatever they resolve to (WEBHOOK_ALLOWED_HOSTS). */
  allowedHosts: string[];
  /** Resolves a host name to its addresses (node:dns by default; tests may answer themselves). */
  resolve?: (host: string) => Promise<string[]>;
}

const resolveHost = async (host: string): Promise<string[]> =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Why a webhook URL may not be used from here, or null. A name is resolved: every address it has must be public. */
async function webhookTargetProblem(url: URL, targets: WebhookTargets): Promise<string | null> {
  if (!targets.publicOnly) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (targets.allowedHosts.map((h) => h.toLowerCase()).includes(host)) return null;
  if (host === 'localhost' || host.endsWith('.localhost'))
    return `the webhook's host ${host} is this machine: only an operator can allow it (WEBHOOK_ALLOWED_HOSTS)`;
  let addresses: string[];
  try {
    addresses = isIPv4(host) || isIPv6(host) ? [host] : await (targets.resolve ?? resolveHost)(host);
  } catch {
    // A name that does not resolve here points nowhere yet: accepted; its deliveries fail and are retried.
    return null;
  }
  const inner = addresses.filter((a) => !isPublicAddress(a));
  if (inner.length > 0)
    return `the webhook's host ${host} is not on the public internet (${inner.join(', ') || 'no address'}): only an operator can allow it (WEBHOOK_ALLOWED_HOSTS)`;
  return null;
}

/** Adds a recipient, or updates the secret and format of the same (scope, kind, address), as the command does. */
export async function addRecipientChecked(
  db: Db,
  input: NewRecipientInput,
  actor: AuditActor,
  targets: WebhookTargets = { publicOnly: false, allowedHosts: [] },
): Promise<{ created: boolean; recipient: RecipientView }> {
  const scope = parseNoticeScope(input.scope);
  if (!scope) throw new OperationError(400, 'scope must be national, central, province:CODE or bingtuan', 'scope');
  const unit = provinceOfScope(scope);
  if (unit && !(await provinceExists(db, unit)))
    throw new OperationError(400, `${unit} is not a province code (e.g. 440000)`, 'scope');
  if ('email' in input) {
    if (!EMAIL.test(input.email))
      throw new OperationError(400, 'email is not an e-mail address such as name@example.org', 'email');
    const { created, recipient } = await addRecipientAudited(db, { scope, kind: 'email', address: input.email }, actor);
    return { created, recipient: recipientView(recipient) };
  }
  let url: URL | undefined;
  try {
    url = new URL(input.webhook);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new OperationError(400, 'webhook must be an http(s) URL', 'webhook');
  const problem = await webhookTargetProblem(url, targets);
  if (problem) throw new OperationError(400, problem, 'webhook');
  const format = input.format ?? 'json';
  if (format === 'json' && !input.secret)
    throw new OperationError(
      400,
      'a json webhook needs a secret: receivers verify X-Ledger-Signature with it',
      'secret',
    );
  const { created, recipient } = await addRecipientAudited(
    db,
    { scope, kind: 'webhook', address: input.webhook, secret: input.secret ?? null, format },
    actor,
  );
  return { created, recipient: recipientView(recipient) };
}

/** What the trail keeps of a recipient: the masked view without dates (a webhook's tokens and secret never). */
const recipientRecord = (r: Recipient) => {
  const { createdAt: _c, removedAt: _r, ...kept } = recipientView(r);
  return kept;
};

/**
 * Adds (or changes the secret and format of) a recipient and records it: `recipients.add`, or `recipients.change`
 * with the state before when the same address was there already.
 */
export async function addRecipientAudited(
  db: Executor,
  r: Parameters<typeof addRecipient>[1],
  actor: AuditActor,
): Promise<{ created: boolean; recipient: Recipient }> {
  return audited(
    db,
    async (trx) => {
      const [before] = (await listRecipients(trx as Db, { scope: r.scope })).filter(
        (x) => x.kind === r.kind && x.address === r.address,
      );
      const added = await addRecipient(trx, r);
      return { ...added, before };
    },
    ({ created, recipient, before }) => ({
      actor,
      action: created ? 'recipients.add' : 'recipients.change',
      target: `recipient:${recipient.id}`,
      before: before ? recipientRecord(before) : undefined,
      after: recipientRecord(recipient),
      result: 'ok',
    }),
  );
}

/** Removes a recipient and records it; false when there was no active one (nothing recorded). */
export async function removeRecipientAudited(db: Executor, id: number, actor: AuditActor): Promise<boolean> {
  return audited(
    db,
    async (trx) => {
      const before = await getRecipient(trx, id);
      return (await removeRecipient(trx, id)) ? before : undefined;
    },
    (before) =>
      before
        ? {
            actor,
            action: 'recipients.remove',
            target: `recipient:${id}`,
            before: recipientRecord(before),
            result: 'ok',
          }
        : null,
  ).then((before) => before !== undefined);
}

export async function removeRecipientChecked(
  db: Db,
  id: number,
  actor: AuditActor,
): Promise<{ id: number; removed: true }> {
  if (!(await removeRecipientAudited(db, id, actor))) throw new OperationError(404, `no active recipient ${id}`);
  return { id, removed: true };
}

// ── Dead letters ─────────────────────────────────────────────────────────────────────────────────────────────────

export interface DeadLetterView extends Omit<DeadLetter, 'createdAt' | 'replayedAt'> {
  createdAt: string;
  replayedAt: string | null;
}

export async function listDeadLetterViews(db: Db, includeReplayed: boolean): Promise<DeadLetterView[]> {
  return (await listDeadLetters(db, { includeReplayed })).map((d) => ({
    ...d,
    createdAt: d.createdAt.toISOString(),
    replayedAt: d.replayedAt?.toISOString() ?? null,
  }));
}

/** Puts one dead letter's event back in the inbox (as `ledger dlq replay --id`); returns the inbox ids to queue. */
export async function replayDeadLetter(db: Db, id: number, actor: AuditActor): Promise<number[]> {
  const [letter] = await listDeadLetters(db, { includeReplayed: true, ids: [id] });
  if (!letter) throw new OperationError(404, `no dead letter ${id}: see GET /v1/admin/dead-letters?all=1`);
  const inboxIds = await db.transaction().execute(async (trx) => {
    const marked = await markDeadLettersReplayed(trx, [id]);
    const ids = await resetRejectedInboxRows(trx, marked);
    if (ids.length > 0)
      await recordAudit(trx, {
        actor,
        action: 'dlq.replay',
        target: `dead-letter:${id}`,
        result: 'ok',
        detail: { inboxIds: ids, eventId: letter.eventId },
      });
    return ids;
  });
  if (inboxIds.length === 0) throw new OperationError(409, `dead letter ${id} was replayed already`);
  return inboxIds;
}

// ── Notices ──────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Sets a notice's deliveries back to pending for a re-send (as `ledger notices resend`): to every active recipient of
 * its scope, including ones added since the run, or to one. Returns the delivery ids to queue.
 */
export async function prepareResend(
  db: Db,
  noticeId: number,
  recipientId: number | undefined,
  actor: AuditActor,
): Promise<number[]> {
  const notice = await getNotice(db, noticeId);
  if (!notice) throw new OperationError(404, `no notice ${noticeId}`);
  if (recipientId !== undefined) {
    const r = await getRecipient(db, recipientId);
    if (!r) throw new OperationError(404, `no recipient ${recipientId}`);
    if (r.removedAt) throw new OperationError(409, `recipient ${recipientId} was removed`);
    if (r.scope !== notice.scope)
      throw new OperationError(
        409,
        `recipient ${r.id} receives ${r.scope} notices, notice ${notice.id} is ${notice.scope}: pick a recipient of that scope`,
      );
    await ensureDelivery(db, notice.id, r.id);
  } else {
    await createDeliveries(db, [notice.id]);
  }
  return audited(
    db,
    (trx) => resetForResend(trx as Db, notice.id, recipientId),
    (deliveryIds) => ({
      actor,
      action: 'notices.resend',
      target: `notice:${notice.id}`,
      result: 'ok',
      detail: { scope: notice.scope, recipientId: recipientId ?? null, deliveries: deliveryIds.length },
    }),
  );
}

// The plain lists the command line prints as they are stored, and the demo's direct recipient (no request, no actor).
export { listDeadLetters } from '../repositories/dead-letter.repository.ts';
export { addRecipient, listRecipients, type Recipient } from '../repositories/recipient.repository.ts';
