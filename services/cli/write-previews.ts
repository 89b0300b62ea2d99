// `npm run docs:previews [-- DATABASE_URL]`: the pictures in docs/previews/ of what an official receives, from the
// notices stored in a database (by default the demo's, ledger_demo): the first three pages of the latest week's national
// and 广东省 notices as PDF, rendered to PNG with poppler's pdftoppm (a reader that is not ours), and their charts as
// the .docx embeds them. Run after `npm run demo`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb } from '../../shared/db/database.ts';
import { documentCharts, noticeDocument } from '../../shared/use-cases/notice-documents.ts';
import { getNotice, listNotices } from '../../shared/use-cases/notices.ts';

const url = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/ledger_demo';
const out = fileURLToPath(new URL('../../docs/previews/', import.meta.url));
const db = createDb(url, { poolSize: 1, applicationName: 'ledger-previews' });
try {
  const weekly = (await listNotices(db)).filter((n) => /^\d{4}-W\d{2}$/.test(n.period));
  const period = weekly
    .map((n) => n.period)
    .sort()
    .pop();
  if (!period) throw new Error(`no weekly notice in ${url}: run npm run demo first`);
  mkdirSync(out, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'ledger-previews-'));
  try {
    for (const [scope, name] of [
      ['national', 'national'],
      ['province:440000', 'province-440000'],
    ] as const) {
      const summary = weekly.find((n) => n.period === period && n.scope === scope);
      if (!summary) throw new Error(`no ${scope} notice of ${period} in ${url}`);
      const notice = (await getNotice(db, summary.id))!;
      const pdf = join(tmp, `${name}.pdf`);
      writeFileSync(pdf, (await noticeDocument(notice, 'pdf')).body);
      execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '3', pdf, join(out, `${name}-page`)]);
      documentCharts(notice).forEach((c, i) => writeFileSync(join(out, `${name}-chart-${i + 1}.png`), c.png));
      process.stdout.write(`${scope} ${period}: ${out}${name}-page-1.png …\n`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
} finally {
  await db.destroy();
}
