// Notices end to end against real services: a real SMTP server (smtp-server) and webhook receiver (node:http) in the
// test, real PostgreSQL and Redis, the real workers and the real `ledger` command line. Mail is parsed with mailparser,
// the ledger attachment read back with exceljs, the chart's size read from its PNG header.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import ExcelJS from 'exceljs';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverNoticeJob } from '../../jobs/deliver-notice.job.ts';
import { generateNoticesJob } from '../../jobs/generate-notices.job.ts';
import { startWorkers, type Workers } from '../../services/workers/index.ts';
import { loadConfig } from '../../shared/config.ts';
import type { ProvinceRankRow, UniversityRankRow } from '../../shared/domain/ranking.types.ts';
import { int, pct, rankChangeZh } from '../../shared/domain/notices/format.ts';
import { PROGRESS_SHEET, VISITS_SHEET } from '../../shared/domain/notices/ledger-xlsx.ts';
import { CHART_CID } from '../../shared/domain/notices/render-html.ts';
import { verifyWebhookSignature } from '../../shared/domain/notices/webhook-signature.ts';
import { listDeliveries } from '../../shared/repositories/delivery.repository.ts';
import { listNotices } from '../../shared/repositories/notice.repository.ts';
import { filePlan } from '../../shared/repositories/plan.repository.ts';
import { addRecipient } from '../../shared/repositories/recipient.repository.ts';
import { getSnapshot } from '../../shared/repositories/snapshot.repository.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { buildRankingWorld, WORLD as W } from '../helpers/rankings-factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

// ── a real SMTP server with per-address behaviour ──────────────────────────────────────────────────────────────
interface Received {
  rcpt: string[];
  mail: ParsedMail;
}
const received: Received[] = [];
const rcptSeen = new Map<string, number>();
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onRcptTo(address, _session, callback) {
    const who = address.address;
    const n = (rcptSeen.get(who) ?? 0) + 1;
    rcptSeen.set(who, n);
    if (who.startsWith('reject@'))
      return callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
    if (who.startsWith('greylist@') && n === 1)
      return callback(Object.assign(new Error('4.7.1 greylisted, try again later'), { responseCode: 451 }));
    // The first attempt stalls far past the client's socket timeout (8 s): a timeout, then a retry. Only this stage
    // stalls, before any data: a timeout here cannot leave a delivered mail behind it.
    if (who.startsWith('slow@') && n === 1) return void setTimeout(() => callback(), 60_000).unref();
    callback();
  },
  onData(stream, session, callback) {
    simpleParser(stream, { keepCidLinks: true })
      .then((mail) => {
        received.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), mail });
        callback();
      })
      .catch((err: Error) => callback(err));
  },
});

// ── a webhook receiver ──────────────────────────────────────────────────────────────────────────────────────────
interface Hook {
  path: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
const hooks: Hook[] = [];
const hookServer: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    hooks.push({ path: new URL(req.url!, 'http://x').pathname, url: req.url!, headers: req.headers, body });
    if (req.url!.startsWith('/gone')) {
      res.writeHead(410).end('gone');
      return;
    }
    const robot = req.url!.startsWith('/wecom') || req.url!.startsWith('/dingtalk');
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(robot ? '{"errcode":0,"errmsg":"ok"}' : '{"ok":true}');
  });
});

const services = useTestServices({ redis: true });
let workers: Workers;
let env: Record<string, string> & { DATABASE_URL: string };
let hookBase: string;
const SECRET = 'test-secret-123';
const recipientIds: Record<string, number> = {};

/** Not a wait for a condition: a window in which a send that must not happen would arrive. */
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const mailsTo = (address: string) => received.filter((m) => m.rcpt.includes(address));

/** The rows of the HTML tables as arrays of cell texts. */
function tableRows(html: string): string[][] {
  return [...html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) =>
      c[1]!
        .replace(/<[^<>]+>/g, '')
        .replace(/&amp;/g, '&')
        .trim(),
    ),
  );
}

beforeAll(async () => {
  await buildRankingWorld(services.db);
  await filePlan(services.db, '2022', '440000', '2022-03-15');
  await new Promise<void>((res) => smtp.listen(0, '127.0.0.1', () => res()));
  await new Promise<void>((res) => hookServer.listen(0, '127.0.0.1', () => res()));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  hookBase = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
  // Timeouts well beyond what this server takes on a busy machine: a client that gave up while the server was still
  // taking a mail would send it again (the one window where a second copy can go out, kept as small as SMTP allows).
  const smtpUrl = `smtp://127.0.0.1:${smtpPort}/?ignoreTLS=true&socketTimeout=8000&greetingTimeout=8000&connectionTimeout=8000`;
  env = {
    ...services.env,
    SMTP_URL: smtpUrl,
    MAIL_FROM: '访企拓岗电子台账 <ledger@example.org>',
  };
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent', DB_POOL_SIZE: '5' });
  workers = await startWorkers(config, {
    modules: [generateNoticesJob, deliverNoticeJob],
    sweepIntervalMs: 0,
    db: services.db,
  });

  // Two recipients through the command line, the rest through the repository.
  const ministry = await runLedger(
    ['recipients', 'add', '--scope', 'national', '--email', 'ministry@moe.example', '--json'],
    env,
  );
  expect(ministry.code, ministry.stderr).toBe(0);
  recipientIds.ministry = jsonOut<{ id: number }>(ministry).id;
  const hook = await runLedger(
    ['recipients', 'add', '--scope', 'national', '--webhook', `${hookBase}/json`, '--secret', SECRET, '--json'],
    env,
  );
  expect(hook.code, hook.stderr).toBe(0);
  recipientIds.hook = jsonOut<{ id: number }>(hook).id;
  const add = async (
    name: string,
    scope: string,
    kind: 'email' | 'webhook',
    address: string,
    format?: 'wecom' | 'dingtalk',
  ) => {
    recipientIds[name] = (
      await addRecipient(services.db, {
        scope,
        kind,
        address,
        secret: format === 'dingtalk' ? SECRET : null,
        format: format ?? null,
      })
    ).recipient.id;
  };
  await add('gd', 'province:440000', 'email', 'gd@edu.example');
  await add('greylist', 'province:440000', 'email', 'greylist@edu.example');
  await add('slow', 'province:110000', 'email', 'slow@edu.example');
  await add('reject', 'province:110000', 'email', 'reject@edu.example');
  await add('bj', 'province:110000', 'email', 'bj@edu.example');
  await add('wecom', 'province:440000', 'webhook', `${hookBase}/wecom?key=abc`, 'wecom');
  await add('dingtalk', 'national', 'webhook', `${hookBase}/dingtalk?access_token=xyz`, 'dingtalk');
  recipientIds.gone = (
    await addRecipient(services.db, {
      scope: 'province:440000',
      kind: 'webhook',
      address: `${hookBase}/gone`,
      secret: SECRET,
      format: 'json',
    })
  ).recipient.id;
}, 120_000);

afterAll(async () => {
  await workers?.close();
  await new Promise((res) => smtp.close(() => res(undefined)));
  await new Promise((res) => hookServer.close(() => res(undefined)));
});

describe('ledger recipients', () => {
  it('lists recipients without their secrets, refuses bad input, and removes by id', async () => {
    const list = await runLedger(['recipients', 'list', '--json'], env);
    const rows = jsonOut<Array<Record<string, unknown>>>(list);
    expect(rows.find((x) => x.id === recipientIds.hook)).toMatchObject({
      kind: 'webhook',
      format: 'json',
      hasSecret: true,
    });
    expect(list.stdout).not.toContain(SECRET);
    const bad = await runLedger(['recipients', 'add', '--scope', 'national', '--webhook', `${hookBase}/x`], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('needs --secret');
    const badProvince = await runLedger(['recipients', 'add', '--scope', 'province:999999', '--email', 'a@b.cn'], env);
    expect(badProvince.code).toBe(1);
    const extra = jsonOut<{ id: number }>(
      await runLedger(['recipients', 'add', '--scope', 'national', '--email', 'extra@moe.example', '--json'], env),
    );
    const removed = await runLedger(['recipients', 'remove', '--id', String(extra.id)], env);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await runLedger(['recipients', 'remove', '--id', String(extra.id)], env)).code).toBe(1);
  });
});

describe('notices run and delivery', () => {
  let summaries: Array<Record<string, any>>;

  it('two concurrent runs of one period generate one notice per scope and deliver each to each recipient once', async () => {
    const [a, b] = await Promise.all([
      runLedger(['notices', 'run', '--campaign', '2022', '--period', '2022-W14', '--json'], env),
      runLedger(['notices', 'run', '--campaign', '2022', '--period', '2022-W14', '--json'], env),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    summaries = [jsonOut(a), jsonOut(b)];
    // national + the two provinces with universities
    for (const s of summaries)
      expect(s.notices.map((n: { scope: string }) => n.scope)).toEqual([
        'national',
        'province:110000',
        'province:440000',
      ]);
    expect(summaries[0]!.deliveriesCreated + summaries[1]!.deliveriesCreated).toBe(10);
    const notices = await listNotices(services.db, { campaignId: '2022', period: '2022-W14' });
    expect(notices).toHaveLength(3);
    await waitFor(
      async () => (await listDeliveries(services.db, { noticeIds: notices.map((n) => n.id) })).map((d) => d.state),
      {
        what: 'every delivery of 2022-W14 delivered or failed',
        until: (states) => states.every((state) => state === 'delivered' || state === 'failed'),
        timeoutMs: 90_000,
        intervalMs: 200,
      },
    );
    await sleep(1500); // anything sent twice would arrive now
    for (const who of [
      'ministry@moe.example',
      'gd@edu.example',
      'greylist@edu.example',
      'slow@edu.example',
      'bj@edu.example',
    ])
      expect(mailsTo(who), who).toHaveLength(1);
    expect(mailsTo('reject@edu.example')).toHaveLength(0);
    expect(hooks.filter((h) => h.path === '/json')).toHaveLength(1);
    expect(hooks.filter((h) => h.path === '/wecom')).toHaveLength(1);
    expect(hooks.filter((h) => h.path === '/dingtalk')).toHaveLength(1);
  });

  it('retries after an SMTP 4xx and after a timeout; a permanent failure ends failed at once while the others are delivered', async () => {
    const ds = await listDeliveries(services.db, {});
    const of = (name: string) => ds.find((d) => d.recipientId === recipientIds[name])!;
    expect(of('greylist')).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(rcptSeen.get('greylist@edu.example')).toBe(2);
    expect(of('slow')).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(of('reject')).toMatchObject({ state: 'failed', attempts: 1 });
    expect(of('reject').lastError).toContain('550');
    expect(of('gone')).toMatchObject({ state: 'failed', attempts: 1 });
    expect(of('gone').lastError).toContain('410');
    expect(of('bj')).toMatchObject({ state: 'delivered', attempts: 1 }); // same notice as the failing ones
    expect(ds.filter((d) => d.state === 'delivered')).toHaveLength(8);
  });

  it('the national mail: subject, recipient, the province table as in the snapshot, the chart inline, the ledger attached', async () => {
    const [m] = mailsTo('ministry@moe.example');
    const mail = m!.mail;
    expect(mail.subject).toBe('关于全国高校书记校长访企拓岗促就业专项行动进展情况的通报（2022年第14周）');
    expect(mail.from?.text).toContain('ledger@example.org');
    expect((Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text).toBe('ministry@moe.example');
    expect(mail.text).toContain('截至2022年4月10日');
    const html = String(mail.html);
    const provinces = (await getSnapshot(services.db, '2022', '2022-W14', 'provinces'))!.rows as ProvinceRankRow[];
    const rows = tableRows(html);
    for (const p of provinces.filter((x) => x.universities > 0)) {
      const row = rows.find((cells) => cells[2] === p.provinceName && cells.length === 8);
      expect(row, p.provinceName).toEqual([
        String(p.rank),
        rankChangeZh(p.rankChange),
        p.provinceName,
        int(p.universities),
        int(p.meetingTargets),
        pct(p.shareMeeting),
        pct(p.meanCompletion),
        int(p.positions),
      ]);
    }
    // Plans: 广东 filed, 北京 (and every other province) not.
    expect(html).toMatch(/尚未报送实施方案：北京市、天津市/);
    expect(html).not.toMatch(/尚未报送实施方案：[^。]*广东省/);
    // Behind: G3, G5 (0.03) and G4 (no visits) in 广东.
    const behind = rows.find((cells) => cells[0] === '广东省' && cells.length === 3);
    expect(behind).toEqual(['广东省', '3', '5']);

    const png = mail.attachments.find((a) => a.contentType === 'image/png')!;
    expect(png.cid).toBe(CHART_CID);
    expect(png.contentDisposition).toBe('inline');
    expect(html).toContain(`cid:${CHART_CID}`);
    // Drawn 720 px wide at 2 device pixels per pixel (IHDR: width at byte 16).
    expect(png.content.readUInt32BE(16)).toBe(1440);

    const xlsx = mail.attachments.find((a) => a.filename?.endsWith('.xlsx'))!;
    expect(xlsx.filename).toBe('电子台账-2022-2022-W14-全国.xlsx');
    // The notice as an official document beside the ledger.
    const docx = mail.attachments.find((a) => a.filename?.endsWith('.docx'))!;
    expect(docx.filename).toBe('全国-2022-W14-通报.docx');
    expect(docx.contentType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(docx.content.subarray(0, 2).toString()).toBe('PK');
    const pdf = mail.attachments.find((a) => a.filename?.endsWith('.pdf'))!;
    expect(pdf.filename).toBe('全国-2022-W14-通报.pdf');
    expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.content as unknown as ArrayBuffer);
    const national = (await getSnapshot(services.db, '2022', '2022-W14', 'national'))!.rows as UniversityRankRow[];
    const progress = wb.getWorksheet(PROGRESS_SHEET)!;
    expect(progress.rowCount).toBe(1 + national.length);
    expect(progress.getRow(2).getCell(3).value).toBe(national[0]!.universityCode);
    expect(progress.getRow(2).getCell(5).value).toBeCloseTo(national[0]!.completion, 6);
    // 89 visits up to the cut-off (G1 4, G2 2, G3 3, G5 3, B1 2, B2 75; G5's on 2022-04-11 is after it).
    const visits = wb.getWorksheet(VISITS_SHEET)!;
    expect(visits.rowCount).toBe(1 + 89);
    const first = visits.getRow(2).values as unknown[];
    expect(first[1]).toBe(W.B1); // by university code, then date, then ref
    expect((first[3] as Date).toISOString().slice(0, 10)).toBe('2022-04-05');
    expect(first[4]).toBe('实地走访');
    expect(String(first[7])).toMatch(/^单位0\d\d$/); // as resolved
    expect(String(first[9])).toMatch(/^单位\d+$/); // as submitted
  });

  it('the province mail lists its universities as in the province snapshot, and its ledger only its visits', async () => {
    const mail = mailsTo('gd@edu.example')[0]!.mail;
    expect(mail.subject).toBe('关于广东省高校书记校长访企拓岗促就业专项行动进展情况的通报（2022年第14周）');
    const gd = (await getSnapshot(services.db, '2022', '2022-W14', 'province:440000'))!.rows as UniversityRankRow[];
    const rows = tableRows(String(mail.html)).filter((cells) => cells.length === 10);
    expect(rows.slice(1).map((c) => [c[0], c[2], c[3], c[4]])).toEqual(
      gd.map((u) => [String(u.rank), u.universityName, pct(u.completion), int(u.employersVisited)]),
    );
    expect(mail.text).toContain('实施方案已于2022年3月15日报送');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(mail.attachments.find((a) => a.filename?.endsWith('.xlsx'))!.content as unknown as ArrayBuffer);
    const visits = wb.getWorksheet(VISITS_SHEET)!;
    expect(visits.rowCount).toBe(1 + 12); // G1 4, G2 2, G3 3, G5 3 (its 2022-04-11 visit is after the cut-off)
    const codes = new Set<string>();
    visits.eachRow((row, n) => n > 1 && codes.add(String(row.getCell(1).value)));
    expect([...codes].sort()).toEqual([W.G1, W.G2, W.G3, W.G5]);
  });

  it('webhooks: a signed JSON body (a tampered one fails verification), WeCom markdown within 4,096 bytes, DingTalk signed in the URL', async () => {
    const json = hooks.find((h) => h.path === '/json')!;
    const ok = verifyWebhookSignature({
      secret: SECRET,
      timestamp: json.headers['x-ledger-timestamp'] as string,
      signature: json.headers['x-ledger-signature'] as string,
      body: json.body,
    });
    expect(ok).toBe(true);
    expect(String(json.headers['x-ledger-signature'])).toMatch(/^sha256=[0-9a-f]{64}$/);
    const tampered = json.body.replace('"scope":"national"', '"scope":"province:440000"');
    expect(tampered).not.toBe(json.body);
    expect(
      verifyWebhookSignature({
        secret: SECRET,
        timestamp: json.headers['x-ledger-timestamp'] as string,
        signature: json.headers['x-ledger-signature'] as string,
        body: tampered,
      }),
    ).toBe(false);
    expect(
      verifyWebhookSignature({
        secret: 'other',
        timestamp: json.headers['x-ledger-timestamp'] as string,
        signature: json.headers['x-ledger-signature'] as string,
        body: json.body,
      }),
    ).toBe(false);
    const payload = JSON.parse(json.body);
    expect(payload.notice.subject).toContain('全国');
    expect(payload.model.provinces.length).toBeGreaterThan(0);
    expect(json.headers['x-ledger-delivery']).toBe(String(payload.deliveryId));

    const wecom = JSON.parse(hooks.find((h) => h.path === '/wecom')!.body);
    expect(wecom.msgtype).toBe('markdown');
    expect(Buffer.byteLength(wecom.markdown.content)).toBeLessThanOrEqual(4096);
    expect(wecom.markdown.content).toContain('广东省');

    const ding = hooks.find((h) => h.path === '/dingtalk')!;
    const q = new URL(ding.url, 'http://x').searchParams;
    expect(q.get('access_token')).toBe('xyz');
    const expected = createHmac('sha256', SECRET)
      .update(`${q.get('timestamp')}\n${SECRET}`)
      .digest('base64');
    expect(q.get('sign')).toBe(expected);
    const body = JSON.parse(ding.body);
    expect(body).toMatchObject({ msgtype: 'markdown', markdown: { title: expect.stringContaining('全国') } });
  });

  it('running the period again sends nothing; resend sends one recipient its notice again', async () => {
    const before = received.length;
    const again = await runLedger(
      ['notices', 'run', '--campaign', '2022', '--period', '2022-W14', '--inline', '--json'],
      env,
    );
    expect(again.code, again.stderr).toBe(0);
    const s = jsonOut<Record<string, any>>(again);
    expect(s).toMatchObject({ deliveriesCreated: 0, alreadyDelivered: 8, pending: 0, sent: { delivered: 0 } });
    await sleep(1000); // anything sent again would arrive now
    expect(received.length).toBe(before);

    const national = (await listNotices(services.db, { campaignId: '2022', period: '2022-W14' })).find(
      (n) => n.scope === 'national',
    )!;
    const resend = await runLedger(
      [
        'notices',
        'resend',
        '--id',
        String(national.id),
        '--recipient',
        String(recipientIds.ministry),
        '--inline',
        '--json',
      ],
      env,
    );
    expect(resend.code, resend.stderr).toBe(0);
    expect(jsonOut<Record<string, any>>(resend).sent.delivered).toBe(1);
    expect(mailsTo('ministry@moe.example')).toHaveLength(2);
    expect(mailsTo('ministry@moe.example')[1]!.mail.messageId).toBe(mailsTo('ministry@moe.example')[0]!.mail.messageId);
    const wrongScope = await runLedger(
      ['notices', 'resend', '--id', String(national.id), '--recipient', String(recipientIds.gd)],
      env,
    );
    expect(wrongScope.code).toBe(1);
    expect(wrongScope.stderr).toContain('province:440000');

    const list = await runLedger(['notices', 'list', '--campaign', '2022', '--json'], env);
    const rows = jsonOut<Array<{ scope: string; deliveries: Record<string, number> }>>(list);
    expect(rows.find((n) => n.scope === 'province:110000')!.deliveries).toEqual({
      pending: 0,
      sending: 0,
      delivered: 2,
      failed: 1,
    });
  });
});
