// Stored notices (one per campaign, period and scope) and the ledger rows behind them.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { DeliveryState } from '../db/tables/notices.table.ts';
import type { LedgerVisitRow } from '../domain/notices/ledger-xlsx.ts';
import type { NoticeModel } from '../domain/notices/notice-content.ts';

export interface NoticeContent {
  campaignId: string;
  period: string;
  scope: string;
  asOf: string;
  subject: string;
  model: NoticeModel;
  html: string;
  text: string;
  markdown: string;
  chartPng: Buffer;
}

/** A periodic notice (定期通报) or the campaign's summary (总结, stored under the period `summary`). */
export type NoticeKind = 'periodic' | 'summary';
export const noticeKindOf = (period: string): NoticeKind => (period === 'summary' ? 'summary' : 'periodic');

export interface NoticeSummary {
  id: number;
  kind: NoticeKind;
  campaignId: string;
  period: string;
  scope: string;
  asOf: string;
  subject: string;
  createdAt: Date;
  updatedAt: Date;
  deliveries: Record<DeliveryState, number>;
}

export type StoredNotice = NoticeContent & { id: number; createdAt: Date; updatedAt: Date };

/**
 * Inserts the notice or, when the period's notice of that scope exists, replaces its content (a re-run after the
 * snapshot was taken again). Its id, and so its deliveries, stay. Returns the id.
 */
export async function upsertNotice(db: Executor, n: NoticeContent): Promise<number> {
  const values = {
    campaign_id: n.campaignId,
    period: n.period,
    scope: n.scope,
    as_of: n.asOf,
    subject: n.subject,
    model: JSON.stringify(n.model),
    html: n.html,
    text: n.text,
    markdown: n.markdown,
    chart_png: n.chartPng,
  };
  const r = await db
    .insertInto('notices')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['campaign_id', 'period', 'scope']).doUpdateSet((eb) => ({
        as_of: eb.ref('excluded.as_of'),
        subject: eb.ref('excluded.subject'),
        model: eb.ref('excluded.model'),
        html: eb.ref('excluded.html'),
        text: eb.ref('excluded.text'),
        markdown: eb.ref('excluded.markdown'),
        chart_png: eb.ref('excluded.chart_png'),
        updated_at: sql`now()`,
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function getNotice(db: Executor, id: number): Promise<StoredNotice | undefined> {
  const r = await db.selectFrom('notices').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  return {
    id: r.id,
    campaignId: r.campaign_id,
    period: r.period,
    scope: r.scope,
    asOf: r.as_of,
    subject: r.subject,
    model: r.model as NoticeModel,
    html: r.html,
    text: r.text,
    markdown: r.markdown,
    chartPng: r.chart_png,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Periods of the given ones that have the campaign's notices (what the scheduler's catch-up skips). */
export async function periodsWithNotices(db: Executor, campaignId: string, periods: string[]): Promise<Set<string>> {
  if (periods.length === 0) return new Set();
  const rows = await db
    .selectFrom('notices')
    .select('period')
    .distinct()
    .where('campaign_id', '=', campaignId)
    .where('period', 'in', periods)
    .execute();
  return new Set(rows.map((r) => r.period));
}

/** Notices without their content, newest period first, national before provinces; with delivery counts by state. */
export async function listNotices(
  db: Executor,
  filter: { campaignId?: string; period?: string; scopes?: string[]; kind?: NoticeKind } = {},
): Promise<NoticeSummary[]> {
  let q = db
    .selectFrom('notices as n')
    .leftJoin('notice_deliveries as d', 'd.notice_id', 'n.id')
    .select(['n.id', 'n.campaign_id', 'n.period', 'n.scope', 'n.as_of', 'n.subject', 'n.created_at', 'n.updated_at'])
    .select([
      sql<number>`count(d.id) FILTER (WHERE d.state = 'pending')::int`.as('pending'),
      sql<number>`count(d.id) FILTER (WHERE d.state = 'sending')::int`.as('sending'),
      sql<number>`count(d.id) FILTER (WHERE d.state = 'delivered')::int`.as('delivered'),
      sql<number>`count(d.id) FILTER (WHERE d.state = 'failed')::int`.as('failed'),
    ])
    .groupBy('n.id');
  if (filter.campaignId) q = q.where('n.campaign_id', '=', filter.campaignId);
  if (filter.period) q = q.where('n.period', '=', filter.period);
  if (filter.kind) q = q.where('n.period', filter.kind === 'summary' ? '=' : '<>', 'summary');
  if (filter.scopes) q = filter.scopes.length ? q.where('n.scope', 'in', filter.scopes) : q.where(sql<boolean>`false`);
  const rows = await q
    .orderBy('n.campaign_id')
    .orderBy('n.period', 'desc')
    .orderBy(sql`n.scope <> 'national'`)
    .orderBy('n.scope')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: noticeKindOf(r.period),
    campaignId: r.campaign_id,
    period: r.period,
    scope: r.scope,
    asOf: r.as_of,
    subject: r.subject,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deliveries: { pending: r.pending, sending: r.sending, delivered: r.delivered, failed: r.failed },
  }));
}

/** The campaign as a notice names it. */
export async function getNoticeCampaign(
  db: Executor,
  id: string,
): Promise<{ id: string; name: string; startDate: string; endDate: string } | undefined> {
  const r = await db
    .selectFrom('campaigns')
    .select(['id', 'name', 'start_date', 'end_date'])
    .where('id', '=', id)
    .executeTakeFirst();
  return r ? { id: r.id, name: r.name, startDate: r.start_date, endDate: r.end_date } : undefined;
}

export interface LedgerFilter {
  campaignId: string;
  /** Visits dated from the campaign's start to the cut-off, both included. */
  from: string;
  to: string;
  provinceCode?: string;
  /** Only the 部属 and 部省合建 universities (the central notice's). */
  central?: boolean;
  pageSize?: number;
}

/** Universities whose visits one ledger query reads: about a page of visits (2,000) at the national average. */
const LEDGER_UNIVERSITIES_PER_QUERY = 15;

/**
 * The active visits behind a notice's figures, by university, date and ref. Walks the scope's universities in code
 * order, a group of them at a time, and reads the group's visits in keyset pages of (university, date, ref) on the
 * visits_campaign_idx index, so a province of 50,000 visits streams through in constant memory and no query depends
 * on planner estimates over a join. Grouped because a query per university made the national ledger (2,760
 * universities) wait mostly on round trips (profiled: half of its time idle).
 */
export async function* ledgerVisits(db: Executor, filter: LedgerFilter): AsyncGenerator<LedgerVisitRow> {
  const pageSize = filter.pageSize ?? 2000;
  let uq = db.selectFrom('universities').select(['code', 'name']).orderBy('code');
  if (filter.provinceCode) uq = uq.where('province_code', '=', filter.provinceCode);
  if (filter.central) uq = uq.where('central', 'is not', null);
  const universities = await uq.execute();
  const names = new Map(universities.map((u) => [u.code, u.name]));
  const groups: string[][] = [];
  for (let i = 0; i < universities.length; i += LEDGER_UNIVERSITIES_PER_QUERY)
    groups.push(universities.slice(i, i + LEDGER_UNIVERSITIES_PER_QUERY).map((u) => u.code));
  const page = (codes: string[], after: { u: string; d: string; r: string } | null) => {
    let q = db
      .selectFrom('visits as v')
      .leftJoin('employers as e', 'e.id', 'v.employer_id')
      .select([
        'v.university_code',
        'v.ref',
        'v.visited_on',
        'v.mode',
        'v.leaders',
        'v.employer_id',
        'e.canonical_name',
        'e.credit_code as resolved_credit_code',
        'v.employer_name',
        'v.credit_code',
        'v.positions',
        'v.internship_base',
        'v.recruitment_invite',
        'v.demand_survey',
        'v.graduates_tracked',
        'v.satisfaction',
        'v.notes',
      ])
      .where('v.campaign_id', '=', filter.campaignId)
      .where('v.university_code', 'in', codes)
      .where('v.state', '=', 'active')
      .where('v.visited_on', '>=', filter.from)
      .where('v.visited_on', '<=', filter.to);
    if (after) {
      const a = after;
      q = q.where(sql<boolean>`(v.university_code, v.visited_on, v.ref) > (${a.u}, ${a.d}::date, ${a.r})`);
    }
    return q.orderBy('v.university_code').orderBy('v.visited_on').orderBy('v.ref').limit(pageSize).execute();
  };
  // The next page is asked for as soon as this one has arrived, so the database reads it while this one is written
  // (one query in flight at a time, as before).
  let g = 0;
  let next = groups.length ? page(groups[0]!, null) : undefined;
  try {
    while (next) {
      const rows = await next;
      const last = rows[rows.length - 1];
      if (rows.length === pageSize && last)
        next = page(groups[g]!, { u: last.university_code, d: last.visited_on!, r: last.ref });
      else next = ++g < groups.length ? page(groups[g]!, null) : undefined;
      for (const r of rows) {
        yield {
          universityCode: r.university_code.trim(),
          universityName: names.get(r.university_code) ?? '',
          ref: r.ref,
          visitedOn: r.visited_on,
          mode: r.mode,
          leaders: r.leaders ?? [],
          employerId: r.employer_id,
          employerName: r.canonical_name,
          employerCreditCode: r.resolved_credit_code,
          submittedName: r.employer_name,
          submittedCreditCode: r.credit_code,
          positions: r.positions,
          internshipBase: r.internship_base,
          recruitmentInvite: r.recruitment_invite,
          demandSurvey: r.demand_survey,
          graduatesTracked: r.graduates_tracked,
          satisfaction: r.satisfaction,
          notes: r.notes,
        };
      }
    }
  } finally {
    // Stopped early (a mailed ledger's visit limit): the page asked for ahead is not read.
    next?.catch(() => undefined);
  }
}
