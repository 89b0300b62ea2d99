// `ledger employers resolve` resolves its lines in groups (as the workers do): the answers come in input order, equal
// what resolving the lines one at a time gives, and the command answers a pipe line by line before its input ends.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDevSet } from '../../bench/dev-set/dev-set.ts';
import { readSourceEmployers } from '../../bench/dev-set/dev-set-file.ts';
import {
  createEmployerResolver,
  displayName,
  EmployerInputError,
  type EmployerInput,
} from '../../shared/use-cases/resolve-employer.ts';
import { parseResolveLine } from '../../services/cli/resolve-lines.ts';
import { runLedger } from '../helpers/cli.ts';
import { useTestServices } from '../helpers/setup.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';

const services = useTestServices();
const THRESHOLDS = { matchThreshold: 0.88, reviewThreshold: 0.75 };
let env: Record<string, string> & { DATABASE_URL: string };
let other: TestDatabase; // where the same lines are resolved one at a time

beforeAll(async () => {
  env = {
    DATABASE_URL: services.database.url,
    RESOLVE_MATCH_THRESHOLD: String(THRESHOLDS.matchThreshold),
    RESOLVE_REVIEW_THRESHOLD: String(THRESHOLDS.reviewThreshold),
  };
  other = await createTestDatabase(2);
});
afterAll(async () => {
  await other?.drop();
});

type Out = Record<string, unknown> & { employerId?: number | null; candidateId?: number; line?: number };

/**
 * Answers with employer ids replaced by the line (0-based) that first got that employer, so that two databases
 * (whose ids differ: a batch reserves ids it may not use) compare on what the ids mean.
 */
function byFirstLine(outs: Out[]): Out[] {
  const first = new Map<number, number>();
  outs.forEach((o, i) => {
    if (typeof o.employerId === 'number' && !first.has(o.employerId)) first.set(o.employerId, i);
  });
  const ref = (id: number) => (first.has(id) ? `line ${first.get(id)}` : `unseen ${id}`);
  return outs.map((o) => ({
    ...o,
    ...(typeof o.employerId === 'number' ? { employerId: ref(o.employerId) } : {}),
    ...(o.candidateId !== undefined ? { candidateId: ref(o.candidateId) } : {}),
  })) as Out[];
}

describe('ledger employers resolve, in groups', () => {
  it('answers in input order, gives duplicates one employer, and equals resolving one line at a time', async () => {
    // Over 1,300 lines, so several groups of 500: spellings of 200 employers of the sample, branches, codes.
    const records = buildDevSet(readSourceEmployers(), { limit: 200 });
    const inputs: EmployerInput[] = records.map((r) => ({ name: r.name, creditCode: r.creditCode }));
    // A new employer spelled the same way four times, close together (so in one group), and ways out of a line.
    const dup = { name: '江苏恒瑞医药股份有限公司连云港分公司', creditCode: null };
    inputs.splice(40, 0, dup, dup, { name: '江苏恒瑞医药股份有限公司 连云港分公司', creditCode: null }, dup);
    expect(inputs.length).toBeGreaterThan(1200);
    const text = inputs.map((i) => JSON.stringify(i));
    text.splice(10, 0, 'not json', '', '{"name":"  —— "}'); // an error line, a blank line (skipped), a name of nothing
    const res = await runLedger(['employers', 'resolve'], env, text.join('\n') + '\n');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/2 of \d+ lines could not be resolved/);
    const outs = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Out);
    expect(outs).toHaveLength(inputs.length + 2);
    expect(outs[10]).toMatchObject({ line: 11, error: expect.stringMatching(/not JSON/) });
    expect(outs[11]).toMatchObject({ line: 12, error: expect.stringMatching(/no letters or digits/) });

    // The same lines, one at a time, through resolve() on a database of their own, as the command did before groups.
    const resolver = createEmployerResolver(THRESHOLDS);
    const single: Out[] = [];
    for (const [n, line] of text.filter((t) => t !== '').entries()) {
      const input = parseResolveLine(line, n + 1);
      if ('error' in input) {
        single.push(input);
        continue;
      }
      try {
        const r = await resolver.resolve(other.db, input);
        single.push({
          employerId: r.employerId,
          canonicalName: r.canonicalName,
          decision: r.decision,
          ...(r.candidateId ? { candidateId: r.candidateId } : {}),
          ...(r.score !== undefined ? { score: r.score } : {}),
        });
      } catch (err) {
        if (!(err instanceof EmployerInputError)) throw err;
        single.push({ line: n + 1, error: `line ${n + 1}: ${err.message}` });
      }
    }
    expect(byFirstLine(outs)).toEqual(byFirstLine(single));

    // In input order: every answer that created an employer shows the name of its own line.
    const answered = outs.filter((o) => o.error === undefined);
    expect(answered).toHaveLength(inputs.length);
    answered.forEach((o, i) => {
      if (o.decision === 'created') expect(o.canonicalName).toBe(displayName(inputs[i]!.name.trim()));
    });
    // The four spellings of the new branch: one employer, created by the first.
    const branch = answered.slice(40, 44);
    expect(branch.map((o) => o.decision)).toEqual(['created', 'matched', 'matched', 'matched']);
    expect(new Set(branch.map((o) => o.employerId)).size).toBe(1);
  });

  it('resolveEach gives duplicates of one group one employer, and an unusable name its error in its place', async () => {
    const resolver = createEmployerResolver(THRESHOLDS);
    const name = '广州市番禺区石楼镇海鸥岛旅游开发有限公司';
    const out = await services.db
      .transaction()
      .execute((trx) =>
        resolver.resolveEach(trx, [
          { name },
          { name: '···' },
          { name },
          { name: '廣州市番禺區石樓鎮海鷗島旅遊開發有限公司' },
        ]),
      );
    expect(out[1]).toBeInstanceOf(EmployerInputError);
    const [a, , b, c] = out as Array<{ employerId: number; decision: string }>;
    expect([a!.decision, b!.decision, c!.decision]).toEqual(['created', 'matched', 'matched']);
    expect(new Set([a!.employerId, b!.employerId, c!.employerId]).size).toBe(1);
  });

  it('answers a pipe line by line, before its input ends', async () => {
    const child = spawn(process.execPath, ['bin/ledger.js', 'employers', 'resolve'], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    const answers: Array<(line: string) => void> = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      let nl: number;
      while ((nl = stdout.indexOf('\n')) >= 0) {
        const line = stdout.slice(0, nl);
        stdout = stdout.slice(nl + 1);
        answers.shift()?.(line);
      }
    });
    const ask = (name: string) =>
      new Promise<Out>((resolve) => {
        answers.push((line) => resolve(JSON.parse(line) as Out));
        child.stdin.write(JSON.stringify({ name }) + '\n');
      });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // stdin stays open: each answer must come while the command still waits for more input.
    const first = await ask('宁夏贺兰山东麓酒庄葡萄种植有限公司');
    const second = await ask('寧夏賀蘭山東麓酒莊葡萄種植有限公司');
    expect(first.decision).toBe('created');
    expect(second).toMatchObject({ employerId: first.employerId, decision: 'matched' });
    child.stdin.end();
    expect(await exited).toBe(0);
  });
});
