// Sending one delivery: claim it (pending → sending), send by SMTP or webhook, record the outcome. A delivery marked
// delivered is never claimed again, so a re-run, a duplicate job or a second worker sends nothing twice. After a
// successful send the row is never put back for sending: recording 'delivered' is retried, and should the database
// still refuse, the job keeps the fact (recordSent, recoverDeliveries). The one window left: a worker that dies after
// the other side accepted but before the row says delivered; after the lease the delivery is sent again
// (at-least-once there). Mail carries a Message-ID and webhooks an X-Ledger-Delivery header per delivery so the
// receiving side can drop such a duplicate. Rows whose worker or job was lost are found again by recoverDeliveries.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import {
  claimDelivery,
  DELIVERY_MAX_ATTEMPTS,
  getDelivery,
  listOpenDeliveries,
  markAttemptFailed,
  markDelivered,
  reclaimExpiredDeliveries,
} from '../repositories/delivery.repository.ts';
import { getNotice, type StoredNotice } from '../repositories/notice.repository.ts';
import { getRecipient, type Recipient } from '../repositories/recipient.repository.ts';
import { ledgerFileName, writeNoticeLedger } from './generate-notices.ts';
import { noticeDocument, type DocumentSettings } from './notice-documents.ts';
import { CHART_CID } from '../domain/notices/render-html.ts';
import { DINGTALK_MAX_BYTES, renderMarkdown, WECOM_MAX_BYTES } from '../domain/notices/render-markdown.ts';
import {
  DELIVERY_HEADER,
  dingtalkSignedUrl,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
} from '../domain/notices/webhook-signature.ts';

export interface DeliverySettings {
  smtpUrl?: string;
  mailFrom: string;
  /** Send mail only over TLS (STARTTLS required on smtp://); a server without it fails the delivery at once. */
  requireTls?: boolean;
  /** A 'sending' row older than this is taken to be abandoned by a dead worker (default 300 s). */
  leaseSeconds?: number;
  /** Attempts (claims) of one delivery at most, whoever makes them (default DELIVERY_MAX_ATTEMPTS). */
  maxAttempts?: number;
  webhookTimeoutMs?: number;
  /** Visits in the mailed ledger at most; the archive (`?format=xlsx`) always has all (default 100,000). */
  mailLedgerMaxVisits?: number;
  /** Issuers and fonts of the attached .docx and .pdf. */
  documents?: DocumentSettings;
}

export type DeliveryOutcome =
  | { outcome: 'delivered'; deliveryId: number; response: string }
  /** Sent, but the database refused to record it even after retries: the caller must keep `response` and record later. */
  | { outcome: 'unrecorded'; deliveryId: number; response: string; error: string }
  | { outcome: 'skipped'; deliveryId: number; state: string }
  | { outcome: 'busy'; deliveryId: number }
  | { outcome: 'retry'; deliveryId: number; error: string }
  | { outcome: 'failed'; deliveryId: number; error: string };

/** A send failure, permanent (never retried) or transient (retried with backoff). */
export class SendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export const MAIL_LEDGER_MAX_VISITS = 100_000;
const DEFAULT_LEASE_SECONDS = 300;
/** Pauses between tries to record a delivery that was sent (≈ 15 s in all: a restarting PostgreSQL, a lost connection). */
const RECORD_RETRY_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000];

/** The delivery settings of a process. */
export function deliverySettings(config: Config): DeliverySettings {
  return {
    smtpUrl: config.SMTP_URL,
    mailFrom: config.MAIL_FROM,
    requireTls: config.SMTP_REQUIRE_TLS,
    leaseSeconds: config.DELIVERY_LEASE_SECONDS,
    documents: { issuersFile: config.NOTICE_ISSUERS_FILE, fontDir: config.NOTICE_FONT_DIR },
  };
}
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** SMTP: a 5xx reply is permanent; 4xx replies, timeouts and connection errors are worth retrying. */
export function classifySmtpError(err: unknown): SendError {
  const e = err as { responseCode?: number; code?: string; message?: string; response?: string };
  const text = `${e.code ?? 'SMTP'}${e.responseCode ? ` ${e.responseCode}` : ''}: ${e.response ?? e.message ?? String(err)}`;
  return new SendError(text, typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600);
}

/**
 * Webhooks: 4xx is permanent except 408 and 429; 5xx, timeouts and network errors are retried. Redirects are not
 * followed (a signed notice must not be carried to wherever a compromised or mistyped endpoint points), and a 3xx
 * will not go away by retrying: permanent.
 */
export function classifyHttpStatus(status: number): 'ok' | 'permanent' | 'transient' {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 300 && status < 400) return 'permanent';
  if (status === 408 || status === 429) return 'transient';
  if (status >= 400 && status < 500) return 'permanent';
  return 'transient';
}

async function sendMail(
  db: Db,
  notice: StoredNotice,
  recipient: Recipient,
  deliveryId: number,
  s: DeliverySettings,
): Promise<string> {
  if (!s.smtpUrl)
    throw new SendError(
      'SMTP_URL is not set: set it like smtp://user:pass@mail.example.org:587 to send notices by e-mail',
      false,
    );
  // The ledger is streamed to a temporary file first (constant memory), then attached from it: a slow ledger query
  // cannot stall an open SMTP session into a timeout, and a refused recipient leaves no half-written stream behind.
  const dir = await mkdtemp(join(tmpdir(), 'ledger-notice-'));
  const file = join(dir, 'ledger.xlsx');
  try {
    const out = createWriteStream(file);
    await writeNoticeLedger(db, notice, out, { visitLimit: s.mailLedgerMaxVisits ?? MAIL_LEDGER_MAX_VISITS });
    await finished(out);
    // The notice as an official document, beside the ledger (its charts drawn once for both).
    const docx = await noticeDocument(notice, 'docx', s.documents);
    const pdf = await noticeDocument(notice, 'pdf', s.documents);
    const transport = nodemailer.createTransport(smtpTransportUrl(s.smtpUrl, s.requireTls ?? false));
    try {
      const info = await transport.sendMail({
        from: s.mailFrom,
        to: recipient.address,
        subject: notice.subject,
        text: notice.text,
        html: notice.html,
        messageId: `<notice-${notice.id}-delivery-${deliveryId}@ledger>`,
        headers: { [DELIVERY_HEADER]: String(deliveryId) },
        attachments: [
          {
            filename: 'progress-chart.png',
            content: notice.chartPng,
            contentType: 'image/png',
            cid: CHART_CID,
            contentDisposition: 'inline',
          },
          { filename: ledgerFileName(notice), path: file, contentType: XLSX_TYPE },
          { filename: docx.fileName, content: docx.body, contentType: docx.contentType },
          { filename: pdf.fileName, content: pdf.body, contentType: pdf.contentType },
        ],
      });
      return String(info.response ?? 'accepted');
    } catch (err) {
      // ETLS: the server offered no STARTTLS (or the upgrade failed) while TLS is required; nothing was sent, and
      // retrying will not give the server TLS.
      if (s.requireTls && (err as { code?: string }).code === 'ETLS') {
        throw new SendError(
          `SMTP server did not start TLS and SMTP_REQUIRE_TLS is set, so nothing was sent (${(err as Error).message}): ` +
            'enable STARTTLS on the server, use smtps://, or unset SMTP_REQUIRE_TLS',
          true,
        );
      }
      throw classifySmtpError(err);
    } finally {
      transport.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The SMTP_URL nodemailer gets: with `requireTls`, `requireTLS=true` on smtp:// (nodemailer then refuses a server
 * without STARTTLS, and the option wins over an `ignoreTLS` in the URL); smtps:// is TLS from the first byte anyway.
 */
export function smtpTransportUrl(smtpUrl: string, requireTls: boolean): string {
  const url = new URL(smtpUrl);
  if (!requireTls || url.protocol !== 'smtp:') return smtpUrl;
  url.searchParams.set('requireTLS', 'true');
  url.searchParams.delete('ignoreTLS');
  url.searchParams.delete('opportunisticTLS');
  return url.toString();
}

/** The body a webhook receives, by its format. */
export function webhookBody(notice: StoredNotice, recipient: Recipient, deliveryId: number): string {
  switch (recipient.format ?? 'json') {
    case 'wecom':
      return JSON.stringify({
        msgtype: 'markdown',
        markdown: { content: renderMarkdown(notice.model, { flavor: 'robot', maxBytes: WECOM_MAX_BYTES }) },
      });
    case 'dingtalk':
      return JSON.stringify({
        msgtype: 'markdown',
        markdown: {
          title: notice.subject,
          text: renderMarkdown(notice.model, { flavor: 'robot', maxBytes: DINGTALK_MAX_BYTES }),
        },
      });
    case 'json':
      return JSON.stringify({
        type: 'ledger.notice',
        deliveryId,
        notice: {
          id: notice.id,
          campaignId: notice.campaignId,
          period: notice.period,
          scope: notice.scope,
          asOf: notice.asOf,
          subject: notice.subject,
          text: notice.text,
          markdown: notice.markdown,
        },
        model: notice.model,
      });
  }
}

async function sendWebhook(
  notice: StoredNotice,
  recipient: Recipient,
  deliveryId: number,
  s: DeliverySettings,
): Promise<string> {
  const body = webhookBody(notice, recipient, deliveryId);
  const ts = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'ledger-notices',
    [DELIVERY_HEADER]: String(deliveryId),
  };
  if (recipient.secret) {
    headers[TIMESTAMP_HEADER] = String(ts);
    headers[SIGNATURE_HEADER] = signWebhook(recipient.secret, ts, body);
  }
  const url =
    recipient.format === 'dingtalk' && recipient.secret
      ? dingtalkSignedUrl(recipient.address, recipient.secret, Date.now())
      : recipient.address;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(s.webhookTimeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new SendError(`webhook unreachable: ${(err as Error).message}`, false);
  }
  const text = (await res.text().catch(() => '')).slice(0, 500);
  const kind = classifyHttpStatus(res.status);
  if (res.status >= 300 && res.status < 400) {
    throw new SendError(
      `webhook answered ${res.status} (redirect to ${res.headers.get('location') ?? 'nowhere'}): redirects are not followed, register the final URL`,
      true,
    );
  }
  if (kind !== 'ok') throw new SendError(`webhook answered ${res.status}: ${text}`, kind === 'permanent');
  // The robots answer 200 with an errcode: 0 is success; rate limits (WeCom 45009, DingTalk 130101) are retried.
  if (recipient.format === 'wecom' || recipient.format === 'dingtalk') {
    let errcode: number | undefined;
    try {
      errcode = (JSON.parse(text) as { errcode?: number }).errcode;
    } catch {
      errcode = undefined;
    }
    if (errcode !== undefined && errcode !== 0)
      throw new SendError(`${recipient.format} robot refused: ${text}`, errcode !== 45009 && errcode !== 130101);
  }
  return `${res.status} ${text}`.trim();
}

/**
 * A mail's official documents take seconds to draw in a process that has not drawn them yet (fonts, charts): drawn
 * before the claim, into the documents' cache, so that the lease times the send alone and a short lease does not
 * expire, and the delivery go out twice, while a PDF is being made. Nothing is drawn for webhooks or for a delivery
 * that is not waiting to be sent; a failure here is left for the send itself to meet and record.
 */
async function prepareMailDocuments(db: Db, deliveryId: number, settings: DeliverySettings): Promise<void> {
  try {
    const delivery = await getDelivery(db, deliveryId);
    if (delivery?.state !== 'pending') return;
    const recipient = await getRecipient(db, delivery.recipientId);
    if (recipient?.kind !== 'email') return;
    const notice = await getNotice(db, delivery.noticeId);
    if (!notice) return;
    await Promise.all([
      noticeDocument(notice, 'docx', settings.documents),
      noticeDocument(notice, 'pdf', settings.documents),
    ]);
  } catch {
    // The send meets the same failure under its claim, and records it there.
  }
}

/**
 * Delivers one delivery row. `finalAttempt` (the queue's last try) turns a transient failure into 'failed', and so
 * does the row's own count reaching `maxAttempts`. Never throws for a send failure: the outcome says what happened,
 * and the row records it. Throws only when the database cannot record a failed attempt (nothing was sent then).
 */
export async function deliver(
  db: Db,
  deliveryId: number,
  settings: DeliverySettings,
  options: { finalAttempt: boolean },
): Promise<DeliveryOutcome> {
  await prepareMailDocuments(db, deliveryId, settings);
  const claimed = await claimDelivery(db, deliveryId, settings.leaseSeconds ?? DEFAULT_LEASE_SECONDS);
  if (!claimed) {
    const current = await getDelivery(db, deliveryId);
    if (current?.state === 'sending') return { outcome: 'busy', deliveryId };
    return { outcome: 'skipped', deliveryId, state: current?.state ?? 'missing' };
  }
  let response: string;
  try {
    const notice = await getNotice(db, claimed.noticeId);
    const recipient = await getRecipient(db, claimed.recipientId);
    if (!notice || !recipient) throw new SendError('notice or recipient no longer exists', true);
    if (recipient.removedAt) throw new SendError(`recipient ${recipient.id} was removed`, true);
    response =
      recipient.kind === 'email'
        ? await sendMail(db, notice, recipient, deliveryId, settings)
        : await sendWebhook(notice, recipient, deliveryId, settings);
  } catch (err) {
    const e = err instanceof SendError ? err : new SendError((err as Error).message ?? String(err), false);
    const final =
      e.permanent || options.finalAttempt || claimed.attempts >= (settings.maxAttempts ?? DELIVERY_MAX_ATTEMPTS);
    await markAttemptFailed(db, deliveryId, e.message, final);
    return final
      ? { outcome: 'failed', deliveryId, error: e.message }
      : { outcome: 'retry', deliveryId, error: e.message };
  }
  // Sent. Whatever happens from here on, this delivery is never sent again by this call.
  return recordSent(db, deliveryId, response);
}

/**
 * Records a delivery that was sent, retrying while the database refuses (a lost connection, a restart). Outcome
 * 'unrecorded' when it still refuses: the caller keeps `response` and calls this again later, and never re-sends.
 */
export async function recordSent(
  db: Db,
  deliveryId: number,
  response: string,
  retryDelaysMs: readonly number[] = RECORD_RETRY_DELAYS_MS,
): Promise<DeliveryOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      await markDelivered(db, deliveryId, response);
      return { outcome: 'delivered', deliveryId, response };
    } catch (err) {
      const delay = retryDelaysMs[attempt];
      if (delay === undefined) {
        return { outcome: 'unrecorded', deliveryId, response, error: (err as Error).message ?? String(err) };
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** What recoverDeliveries needs of the queue (jobs/producer.ts provides it). */
export interface DeliveryQueue {
  /** Queues the deliveries, replacing a finished job of the same id; a live job is left as it is. */
  enqueueDeliveries(deliveryIds: number[], options: { replace: true }): Promise<void>;
  /** The response a job kept after its send succeeded but could not be recorded. */
  sentDeliveryResponse(deliveryId: number): Promise<string | undefined>;
}

export interface DeliveryRecovery {
  /** Sent, recorded now from what their job kept. */
  recorded: number[];
  /** Pending again (or still), queued. */
  queued: number[];
  /** Abandoned mid-send once too often: failed. */
  failed: number[];
}

/**
 * The sweeper of deliveries (DESIGN.md, principle 9): every delivery the queue may have lost is found from
 * PostgreSQL. A row 'sending' past its lease (its worker died mid-send, or its last retry found it still leased and
 * gave up) is recorded as delivered when its job kept a successful send, else put back to 'pending' (the claim
 * counted the attempt) or, at the attempt cap, ended 'failed'. Rows 'pending' longer than the lease are queued again:
 * a live job of the same id makes that a no-op, a lost or finished one is replaced. Safe to run anywhere, at once.
 */
export async function recoverDeliveries(
  db: Db,
  queue: DeliveryQueue,
  settings: Pick<DeliverySettings, 'leaseSeconds' | 'maxAttempts'> & { limit?: number },
): Promise<DeliveryRecovery> {
  const lease = settings.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const open = await listOpenDeliveries(db, lease, settings.limit ?? 1000);
  const recorded: number[] = [];
  const expired: number[] = [];
  for (const d of open) {
    if (d.state !== 'sending') continue;
    const sent = await queue.sentDeliveryResponse(d.id);
    if (sent === undefined) expired.push(d.id);
    else if (await markDelivered(db, d.id, sent)) recorded.push(d.id);
  }
  const reclaimed = await reclaimExpiredDeliveries(db, expired, lease, settings.maxAttempts ?? DELIVERY_MAX_ATTEMPTS);
  const queued = [
    ...open.filter((d) => d.state === 'pending').map((d) => d.id),
    ...reclaimed.filter((r) => r.state === 'pending').map((r) => r.id),
  ].sort((a, b) => a - b);
  await queue.enqueueDeliveries(queued, { replace: true });
  return { recorded, queued, failed: reclaimed.filter((r) => r.state === 'failed').map((r) => r.id) };
}
