// Webhook signatures. Each POST carries
//   X-Ledger-Timestamp: <unix seconds>
//   X-Ledger-Signature: sha256=<hex HMAC-SHA256(secret, `${timestamp}.${body}`)>
// The receiver recomputes the HMAC over the raw body bytes and rejects a mismatch or an old timestamp (replay).
// DingTalk robots sign differently (query parameters), see dingtalkSignedUrl.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-Ledger-Timestamp';
export const SIGNATURE_HEADER = 'X-Ledger-Signature';
export const DELIVERY_HEADER = 'X-Ledger-Delivery';

export function signWebhook(secret: string, timestamp: number, body: string | Buffer): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export interface VerifyInput {
  secret: string;
  /** Header values as received. */
  timestamp: string | undefined;
  signature: string | undefined;
  /** The raw body, exactly as received. */
  body: string | Buffer;
  /** Accept timestamps this far from now (default 300 s). */
  toleranceSeconds?: number;
  nowSeconds?: number;
}

/** True when the signature matches the body and timestamp and the timestamp is recent. */
export function verifyWebhookSignature(input: VerifyInput): boolean {
  if (!input.timestamp || !input.signature || !/^\d{1,12}$/.test(input.timestamp)) return false;
  const ts = Number(input.timestamp);
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(input.secret, ts, input.body));
  const given = Buffer.from(input.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * DingTalk's robot security setting "加签": timestamp in ms and sign = base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)),
 * both appended to the webhook URL as query parameters.
 */
export function dingtalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const sign = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestampMs));
  u.searchParams.set('sign', sign);
  return u.toString();
}
