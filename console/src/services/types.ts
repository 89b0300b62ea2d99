// Answers of the API as docs/api.md and docs/console-api.md document them, for the routes whose OpenAPI entry declares
// no response schema (the generated api-schema.ts then types the answer as unknown). Request paths, parameters and
// the visit event's body are typed by the generated document itself.
import type { paths } from './api-schema.ts';

export type Scope = string; // 'national' | 'admin' | `province:${string}` | `university:${string}`

export interface SessionUser {
  name: string;
  scope: Scope;
}

export interface Session {
  user: SessionUser;
  csrfToken: string | null;
}

export interface Campaign {
  id: string;
  name: string;
  start: string;
  end: string;
  planDeadline: string | null;
}

export interface PlanFiling {
  provinceCode: string;
  provinceName: string;
  filedOn: string | null;
  late: boolean;
}

export interface Overview {
  campaignId: string;
  asOf: string;
  scope: string;
  totals: {
    visits: number;
    employers: number;
    newEmployers: number;
    positions: number;
    internshipBases: number;
    graduatesTracked: number;
    universitiesWithVisits: number;
  };
  universities: { total: number; meetingTargets: number; behind: number; shareMeeting: number };
  expected: number;
  meanCompletion: number;
  planDeadline: string | null;
  plans: PlanFiling[];
}

export interface TrendPoint {
  period: string;
  asOf: string;
  universities: number;
  meetingTargets: number;
  shareMeeting: number;
  meanCompletion: number;
  behind: number;
}

export interface Trend {
  campaignId: string;
  scope: string;
  points: TrendPoint[];
}

export interface Targets {
  principal: number | null;
  new: number | null;
}

export interface UniversityFlags {
  newUndergrad: boolean;
  vocational: boolean;
  belowAveragePlacement: boolean;
}

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

export interface Leader {
  role: 'secretary' | 'president' | 'leader';
  name: string;
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
  };
  rankInProvince: number;
  universitiesInProvince: number;
}

export type VisitMode = 'onsite' | 'invited' | 'online';

export interface VisitRow {
  ref: string;
  visitedOn: string;
  mode: VisitMode;
  /** onRoster (issue 15): false for a name not on the university's roster, null without a roster. */
  leaders: Array<Leader & { onRoster?: boolean | null }>;
  employer: {
    id: number | null;
    name: string;
    nameAsWritten: string;
    creditCode: string | null;
    regionCode: string | null;
  };
  outcomes: {
    positions: number;
    internshipBase: boolean;
    recruitmentInvite: boolean;
    demandSurvey: boolean;
    graduatesTracked: number;
    satisfaction: number | null;
  };
  notes: string | null;
  counted: boolean;
  occurredAt: string;
  eventId: string;
}

export interface VisitPage {
  campaignId: string;
  universityCode: string;
  total: number;
  page: number;
  pageSize: number;
  rows: VisitRow[];
}

export interface LeaderTally {
  campaignId: string;
  universityCode: string;
  asOf: string;
  leaders: Array<{
    name: string;
    roles: Leader['role'][];
    /** The roster's role and title (issue 15); null for a name not on it. */
    role: Leader['role'] | null;
    title: string | null;
    /** false: not on the roster (flagged); null: the university has no roster. */
    onRoster: boolean | null;
    visits: number;
    employersVisited: number;
    newEmployers: number;
    positions: number;
  }>;
  team: {
    rosterSize: number;
    withVisits: number;
    coverage: number | null;
    coverageLow: boolean;
    withoutVisits: Array<{ name: string; role: Leader['role']; title: string | null }>;
    unknownNames: string[];
  };
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

export interface EmployerSide {
  id: number;
  canonicalName: string;
  creditCode: string | null;
  status: string;
  spellings: string[];
  visits: number;
}

export interface ReviewItem {
  id: number;
  employer_id: number;
  employer_name: string;
  candidate_id: number;
  candidate_name: string;
  score: number;
  spelling: string;
  status: 'pending' | 'confirmed' | 'rejected';
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
  reason: string | null;
  visits: number;
  employer?: EmployerSide;
  candidate?: EmployerSide;
}

export interface EmployerSearchPage {
  total: number;
  page: number;
  pageSize: number;
  rows: Array<{
    id: number;
    canonicalName: string;
    creditCode: string | null;
    status: string;
    spellings: number;
    visits: number;
  }>;
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

export interface NoticeSummary {
  id: number;
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

export interface ApiClientRow {
  id: number;
  name: string;
  scope: Scope;
  createdAt: string;
  revokedAt: string | null;
}

export interface UserRow {
  id: number;
  name: string;
  scope: Scope;
  email: string | null;
  createdAt: string;
  disabledAt: string | null;
  lastLoginAt: string | null;
}

export interface RecipientRow {
  id: number;
  scope: Scope;
  kind: 'email' | 'webhook';
  address: string;
  format: string | null;
  hasSecret: boolean;
  createdAt: string;
  removedAt: string | null;
}

export interface DeadLetter {
  id: number;
  inboxId: number;
  eventId: string;
  universityCode: string;
  reason: string;
  attempts: number;
  createdAt: string;
  replayedAt: string | null;
}

export interface QueueState {
  queues: Array<{ name: string; waiting: number; active: number; delayed: number; failed: number; completed: number }>;
  inbox: { accepted: number; lagSeconds: number };
  boardUrl: string;
}
