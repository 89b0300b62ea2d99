// The API's answers as the console reads them. Where the route declares its answer in the OpenAPI document, the type
// is the generated one (api-schema.ts, `npm run console:api-types`), so the console and the API cannot drift. The
// public API's older routes (rankings, progress, notices, one employer, visit-event status) declare no answer there
// yet: their shapes are written here from docs/api.md and docs/console-api.md.
import type { paths } from './api-schema.ts';

type Json<R> = R extends { content: { 'application/json': infer J } } ? J : never;
type Method = 'get' | 'post' | 'delete';
/** The JSON answer of a path and method with this status, as the API's OpenAPI document declares it. */
export type Answer<P extends keyof paths, M extends Method, S extends number = 200> = paths[P][M] extends {
  responses: infer Rs;
}
  ? S extends keyof Rs
    ? Json<Rs[S]>
    : never
  : never;

export type Scope = string; // 'national' | 'admin' | `province:${string}` | `university:${string}`

export type Session = Answer<'/v1/session', 'get'>;
export type AuditPage = Answer<'/v1/audit', 'get'>;
export type AuditEntry = AuditPage['entries'][number];
export type SessionUser = Session['user'];

export type Campaign = Answer<'/v1/campaigns', 'get'>['campaigns'][number];

export type Overview = Answer<'/v1/campaigns/{id}/overview', 'get'>;
export type PlanFiling = Overview['plans'][number];

export type Trend = Answer<'/v1/campaigns/{id}/trend', 'get'>;
export type TrendPoint = Trend['points'][number];

export type VisitPage = Answer<'/v1/campaigns/{id}/universities/{code}/visits', 'get'>;
export type VisitRow = VisitPage['rows'][number];
export type Leader = VisitRow['leaders'][number];
export type VisitMode = NonNullable<VisitRow['mode']>;

export type LeaderTally = Answer<'/v1/campaigns/{id}/universities/{code}/leaders', 'get'>;

export type ReviewItem = Answer<'/v1/admin/employers/review/sides', 'get'>['reviews'][number];
export type EmployerSide = NonNullable<ReviewItem['employer']>;
export type EmployerSearchPage = Answer<'/v1/admin/employers', 'get'>;

export type ApiClientRow = Answer<'/v1/admin/clients', 'get'>['clients'][number];
export type UserRow = Answer<'/v1/admin/users', 'get'>['users'][number];
export type RecipientRow = Answer<'/v1/admin/recipients', 'get'>['recipients'][number];
export type DeadLetter = Answer<'/v1/admin/dead-letters', 'get'>['deadLetters'][number];
export type QueueState = Answer<'/v1/admin/queues', 'get'>;

// ── Written by hand from the docs (routes without a declared answer) ────────────────────────────────────────────────
export interface Targets {
  principal: number | null;
  new: number | null;
}

export interface UniversityFlags {
  newUndergrad: boolean;
  vocational: boolean;
  belowAveragePlacement: boolean;
  /** 部属 or 部省合建 (issue 15): present only for those universities. */
  central?: CentralKind;
}

export type CentralKind = 'ministry' | 'joint';
export type PlaceKind = NonNullable<VisitRow['placeKind']>;
export type StaffRole = VisitRow['staff'][number]['role'];

/** The detail beside the measures (issue 15, docs/api.md): staff, places, new positions, hired. */
export type Outreach = NonNullable<Overview['totals']['outreach']>;

export interface UniversityRankingRow {
  rank: number;
  universityCode: string;
  universityName: string;
  provinceCode: string;
  completion: number;
  employersVisited: number;
  principalEmployers: number;
  newEmployers: number;
  positions: number;
  onsiteShare: number | null;
  onsiteFlag?: boolean;
  behind: boolean;
  targets: Targets;
  rankChange?: number | null;
  flags?: UniversityFlags;
  /** Counted visits, staff-only ones included (absent in snapshots before migration 0014). */
  visits?: number;
  outreach?: Outreach;
}

export interface ProvinceRankingRow {
  rank: number;
  provinceCode: string;
  provinceName: string;
  universities: number;
  meetingTargets: number;
  shareMeeting: number;
  meanCompletion: number;
  positions: number;
  planFiledOn: string | null;
  rankChange?: number | null;
}

export interface Ranking<Row> {
  campaignId: string;
  asOf: string;
  scope: string;
  rows: Row[];
  changesSince?: { period: string; asOf: string } | null;
}

export interface Progress {
  campaignId: string;
  asOf: string;
  university: { code: string; name: string; provinceCode: string };
  measures: {
    employersVisited: number;
    principalEmployers: number;
    newEmployers: number;
    visits: number;
    positions: number;
    internshipBases: number;
    recruitmentInvites: number;
    demandSurveys: number;
    graduatesTracked: number;
    meanSatisfaction: number | null;
    onsiteShare: number | null;
    onsiteFlag: boolean;
    targets: Targets;
    ratios: { principal: number | null; new: number | null };
    completion: number;
    expected: number;
    behind: boolean;
    outreach?: Outreach;
  };
  rankInProvince: number;
  universitiesInProvince: number;
  /** 部属 or 部省合建 universities only: their place in the central ranking. */
  central?: { kind: CentralKind; rank: number; universities: number };
  team?: LeaderTally['team'];
  /** The university's 实施方案 as of asOf (filedOn null: not filed). */
  plan?: { filedOn: string | null; link: string | null; deadline: string | null; late: boolean };
}

/** The body of POST /v1/visit-events, exactly as the API's document declares it. */
export type VisitEvent = NonNullable<paths['/v1/visit-events']['post']['requestBody']>['content']['application/json'];

export interface VisitEventAnswer {
  eventId: string;
  status: 'accepted' | 'duplicate';
}

export interface VisitEventStatus {
  eventId: string;
  status: 'accepted' | 'processed' | 'rejected';
  employerId?: number;
  error?: string;
}

export interface EmployerDetail {
  id: number;
  canonical_name: string;
  credit_code: string | null;
  status: string;
  candidate_id: number | null;
  merged_into: number | null;
  created_at: string;
  spellings: Array<{
    id: number;
    employer_id: number;
    spelling: string;
    normalized_name: string;
    credit_code: string | null;
    first_seen_at: string;
  }>;
  visits: number;
  priorEmployers: number;
  audit: Array<{
    id: number;
    action: string;
    actor: string;
    reason: string;
    employer_id: number;
    details: unknown;
    at: string;
  }>;
}

export interface Deliveries {
  pending: number;
  sending: number;
  delivered: number;
  failed: number;
}

export type NoticeKind = 'periodic' | 'summary';

export interface NoticeSummary {
  id: number;
  /** periodic (定期通报) or summary (总结); absent in answers before issue 15 (then periodic). */
  kind?: NoticeKind;
  campaignId: string;
  period: string;
  scope: string;
  asOf: string;
  subject: string;
  createdAt: string;
  updatedAt: string;
  deliveries: Deliveries;
  links: { html: string; md: string; text: string; xlsx: string };
}

export interface NoticeList {
  campaignId: string;
  period?: string;
  notices: NoticeSummary[];
}
