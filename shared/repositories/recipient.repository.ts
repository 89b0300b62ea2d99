// Who receives the notices of a scope: e-mail addresses and webhooks. Removal is soft so past deliveries keep theirs.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { RecipientKind, WebhookFormat } from '../db/tables/notices.table.ts';

export interface Recipient {
  id: number;
  scope: string;
  kind: RecipientKind;
  address: string;
  secret: string | null;
  format: WebhookFormat | null;
  createdAt: Date;
  removedAt: Date | null;
}

export interface NewRecipient {
  scope: string;
  kind: RecipientKind;
  address: string;
  secret?: string | null;
  format?: WebhookFormat | null;
}

type Row = {
  id: number;
  scope: string;
  kind: RecipientKind;
  address: string;
  secret: string | null;
  format: WebhookFormat | null;
  created_at: Date;
  removed_at: Date | null;
};
const toRecipient = (r: Row): Recipient => ({
  id: r.id,
  scope: r.scope,
  kind: r.kind,
  address: r.address,
  secret: r.secret,
  format: r.format,
  createdAt: r.created_at,
  removedAt: r.removed_at,
});

/**
 * Adds a recipient unless an active one with the same (scope, kind, address) exists (the partial unique index
 * decides); an existing one gets the new secret and format. Returns it and whether it was created.
 */
export async function addRecipient(db: Executor, r: NewRecipient): Promise<{ created: boolean; recipient: Recipient }> {
  const row = await db
    .insertInto('notice_recipients')
    .values({
      scope: r.scope,
      kind: r.kind,
      address: r.address,
      secret: r.secret ?? null,
      format: r.kind === 'email' ? null : (r.format ?? 'json'),
    })
    .onConflict((oc) =>
      oc
        .columns(['scope', 'kind', 'address'])
        .where('removed_at', 'is', null)
        .doUpdateSet((eb) => ({ secret: eb.ref('excluded.secret'), format: eb.ref('excluded.format') })),
    )
    .returning([
      'id',
      'scope',
      'kind',
      'address',
      'secret',
      'format',
      'created_at',
      'removed_at',
      sql<boolean>`xmax = 0`.as('inserted'),
    ])
    .executeTakeFirstOrThrow();
  const { inserted, ...rest } = row;
  return { created: inserted, recipient: toRecipient(rest) };
}

export async function listRecipients(
  db: Executor,
  options: { scope?: string; includeRemoved?: boolean } = {},
): Promise<Recipient[]> {
  let q = db.selectFrom('notice_recipients').selectAll();
  if (options.scope) q = q.where('scope', '=', options.scope);
  if (!options.includeRemoved) q = q.where('removed_at', 'is', null);
  const rows = await q.orderBy('id').execute();
  return rows.map(toRecipient);
}

export async function getRecipient(db: Executor, id: number): Promise<Recipient | undefined> {
  const r = await db.selectFrom('notice_recipients').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toRecipient(r) : undefined;
}

/** Marks the recipient removed (it receives nothing more); false when there is no active recipient with that id. */
export async function removeRecipient(db: Executor, id: number): Promise<boolean> {
  const r = await db
    .updateTable('notice_recipients')
    .set({ removed_at: new Date() })
    .where('id', '=', id)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
