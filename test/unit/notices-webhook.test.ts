import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classifyHttpStatus, classifySmtpError } from '../../shared/use-cases/deliver-notices.ts';
import {
  dingtalkSignedUrl,
  signWebhook,
  verifyWebhookSignature,
} from '../../shared/domain/notices/webhook-signature.ts';

describe('webhook signatures', () => {
  const body = '{"type":"ledger.notice","deliveryId":7}';
  const ts = 1_650_000_000;

  it('signs HMAC-SHA256 over `${timestamp}.${body}` as sha256=<hex>', () => {
    const expected = 'sha256=' + createHmac('sha256', 's3cret').update(`${ts}.${body}`).digest('hex');
    expect(signWebhook('s3cret', ts, body)).toBe(expected);
  });

  it('verifies the right signature and rejects a tampered body, another secret, a stale timestamp or missing headers', () => {
    const signature = signWebhook('s3cret', ts, body);
    const base = { secret: 's3cret', timestamp: String(ts), signature, body, nowSeconds: ts + 10 };
    expect(verifyWebhookSignature(base)).toBe(true);
    expect(verifyWebhookSignature({ ...base, body: body.replace('7', '8') })).toBe(false);
    expect(verifyWebhookSignature({ ...base, secret: 'other' })).toBe(false);
    expect(verifyWebhookSignature({ ...base, nowSeconds: ts + 301 })).toBe(false);
    expect(verifyWebhookSignature({ ...base, timestamp: String(ts + 1) })).toBe(false);
    expect(verifyWebhookSignature({ ...base, signature: undefined })).toBe(false);
    expect(verifyWebhookSignature({ ...base, timestamp: 'abc' })).toBe(false);
  });

  it('signs DingTalk URLs with timestamp and sign query parameters, keeping the access token', () => {
    const url = new URL(
      dingtalkSignedUrl('https://oapi.dingtalk.com/robot/send?access_token=T', 'SEC', 1_650_000_000_123),
    );
    expect(url.searchParams.get('access_token')).toBe('T');
    expect(url.searchParams.get('timestamp')).toBe('1650000000123');
    expect(url.searchParams.get('sign')).toBe(
      createHmac('sha256', 'SEC').update('1650000000123\nSEC').digest('base64'),
    );
  });
});

describe('failure classification', () => {
  it('SMTP: 5xx permanent; 4xx, timeouts and connection errors retried', () => {
    expect(classifySmtpError({ responseCode: 550, response: '550 no such user' }).permanent).toBe(true);
    expect(classifySmtpError({ responseCode: 451, response: '451 greylisted' }).permanent).toBe(false);
    expect(classifySmtpError({ code: 'ETIMEDOUT', message: 'Timeout' }).permanent).toBe(false);
    expect(classifySmtpError({ code: 'ECONNECTION', message: 'refused' }).permanent).toBe(false);
    expect(classifySmtpError({ responseCode: 550, response: '550 no such user' }).message).toContain('550');
  });

  it('webhooks: 2xx ok; 4xx permanent except 408 and 429; 5xx retried', () => {
    expect(classifyHttpStatus(204)).toBe('ok');
    expect(classifyHttpStatus(400)).toBe('permanent');
    expect(classifyHttpStatus(410)).toBe('permanent');
    expect(classifyHttpStatus(408)).toBe('transient');
    expect(classifyHttpStatus(429)).toBe('transient');
    expect(classifyHttpStatus(503)).toBe('transient');
  });
});
