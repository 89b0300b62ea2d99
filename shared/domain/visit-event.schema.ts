// The shape of a visit event (CONTRACT.md) and the rules that need reference data. Pure: no I/O.
// The zod schema is the single source: the API validates with it and publishes its JSON Schema in the OpenAPI document.
import { unsafeInJson } from './text-safety.ts';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isValidCreditCode, normalizeCreditCode } from './credit-code.ts';

export interface FieldError {
  path: string;
  message: string;
}

// PostgreSQL text and jsonb cannot hold NUL, and jsonb refuses lone UTF-16 surrogates: such strings are invalid input
// (400) rather than a storage failure later.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const storable = (s: string) => !s.includes('\u0000') && !LONE_SURROGATE.test(s);
const text = (min: number, max: number) =>
  z
    .string()
    .min(min, { error: min === 1 ? 'must not be empty' : `must have at least ${min} characters` })
    .max(max, { error: `must have at most ${max} characters` })
    .refine(storable, { error: 'must not contain NUL characters or unpaired surrogates' });

const eventId = z.string().regex(/^[\w.:-]{1,128}$/, { error: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -' });

// Dates and times are checked against what PostgreSQL stores, so that a value it refuses is this event's 400 and not
// a failed statement for every event stored with it. timestamptz takes offsets up to ±15:59 (zod's format allows
// ±23:59) and no year 0000; no event of this ledger predates 2000, and the future is bounded by checkRules.
// zod runs refinements after a failed format check too: each lets a malformed value pass, the format names it.
export const EARLIEST_OCCURRED_AT = '2000-01-01T00:00:00Z';
const MAX_OFFSET_MINUTES = 15 * 60 + 59;
const offsetMinutes = (s: string): number => {
  const m = /([+-])(\d{2}):(\d{2})$/.exec(s);
  return m ? Number(m[2]) * 60 + Number(m[3]) : 0;
};
const occurredAt = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time with an offset, e.g. 2022-04-02T10:00:00+08:00' })
  .refine((s) => offsetMinutes(s) <= MAX_OFFSET_MINUTES, {
    error: 'must have an offset between -15:59 and +15:59, e.g. +08:00',
  })
  .refine((s) => !(Date.parse(s) < Date.parse(EARLIEST_OCCURRED_AT)), {
    error: `must not be before ${EARLIEST_OCCURRED_AT}`,
  });
// Visits of this campaign and its successors; checkRules then holds visitedOn within its campaign.
const EARLIEST_VISIT = '2000-01-01';
const LATEST_VISIT = '2099-12-31';
const visitedOn = z.iso
  .date({ error: 'must be a date YYYY-MM-DD' })
  .refine((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d) || (d >= EARLIEST_VISIT && d <= LATEST_VISIT), {
    error: `must be a date from ${EARLIEST_VISIT} to ${LATEST_VISIT}`,
  });
const universityCode = z.string().regex(/^\d{10}$/, { error: 'must be the 10-digit MOE university code' });
const ref = text(1, 128).refine((s) => s.trim() !== '', { error: 'must not be blank' });
const count = (max: number) =>
  z
    .int({ error: 'must be a whole number' })
    .min(0, { error: 'must be 0 or more' })
    .max(max, { error: `must be at most ${max}` });

const leader = z.object({
  role: z.enum(['secretary', 'president', 'leader'], { error: 'must be secretary, president or leader' }),
  name: text(1, 100),
});

/** 全员联动: the staff who may take part in a visit, or make one without a leader (专任教师, 辅导员, 行政管理人员). */
export const STAFF_ROLES = ['teacher', 'counsellor', 'administrator'] as const;
const staffMember = z.object({
  role: z.enum(STAFF_ROLES, { error: 'must be teacher, counsellor or administrator' }),
  name: text(1, 100).nullish(),
});

/** 走进园区、走进行业、走进企业: the kind of place visited. */
export const PLACE_KINDS = ['enterprise', 'park', 'association', 'institution', 'other'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];

const employer = z.object({
  name: text(1, 200).refine((s) => s.trim() !== '', { error: 'must not be blank' }),
  creditCode: text(1, 64).nullish(),
  regionCode: z
    .string()
    .regex(/^\d{6}$/, { error: 'must be a 6-digit GB/T 2260 region code' })
    .nullish(),
});

const outcomes = z.object({
  positions: count(1_000_000).optional(),
  internshipBase: z.boolean({ error: 'must be true or false' }).optional(),
  recruitmentInvite: z.boolean({ error: 'must be true or false' }).optional(),
  demandSurvey: z.boolean({ error: 'must be true or false' }).optional(),
  graduatesTracked: count(1_000_000).optional(),
  satisfaction: z
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be 1 to 5' })
    .max(5, { error: 'must be 1 to 5' })
    .optional(),
  /** 开拓增量岗位: positions opened on top of the employer's existing ones (part of `positions`). */
  newPositions: count(1_000_000).optional(),
  /** Graduates hired through the visit. */
  hired: count(1_000_000).optional(),
});

const visit = z
  .object({
    ref,
    universityCode,
    visitedOn,
    mode: z.enum(['onsite', 'invited', 'online'], { error: 'must be onsite, invited or online' }),
    // At least one leader, or (a staff-only visit) at least one staff member: checked below.
    leaders: z
      .array(leader, { error: 'must be a list of leaders' })
      .max(20, { error: 'must hold at most 20 leaders' })
      .optional(),
    staff: z
      .array(staffMember, { error: 'must be a list of staff members' })
      .max(50, { error: 'must hold at most 50 staff members' })
      .optional(),
    placeKind: z.enum(PLACE_KINDS, { error: 'must be enterprise, park, association, institution or other' }).nullish(),
    employer,
    outcomes: outcomes.optional(),
    /** Majors or skills the employer asked for (用人单位需求台账), as written. */
    majors: z
      .array(
        text(1, 100).refine((s) => s.trim() !== '', { error: 'must not be blank' }),
        {
          error: 'must be a list of majors or skills',
        },
      )
      .max(50, { error: 'must hold at most 50 majors or skills' })
      .optional(),
    notes: text(0, 2000).nullish(),
  })
  .check((ctx) => {
    const v = ctx.value;
    if ((v.leaders?.length ?? 0) === 0 && (v.staff?.length ?? 0) === 0) {
      ctx.issues.push({
        code: 'custom',
        input: v.leaders,
        path: ['leaders'],
        message: 'must hold at least 1 leader (or, for a visit made by staff alone, staff must hold at least 1 person)',
      });
    }
    const o = v.outcomes;
    if (o?.newPositions !== undefined && o.newPositions > (o.positions ?? 0)) {
      ctx.issues.push({
        code: 'custom',
        input: o.newPositions,
        path: ['outcomes', 'newPositions'],
        message: `must not exceed positions (${o.positions ?? 0}): new positions are part of the positions offered`,
      });
    }
  });

const campaignId = text(1, 64);

const recorded = z.object({
  eventId,
  type: z.enum(['visit.recorded', 'visit.amended']),
  occurredAt,
  campaignId,
  visit,
});

const retracted = z.object({
  eventId,
  type: z.literal('visit.retracted'),
  occurredAt,
  campaignId: campaignId.optional(),
  visit: z.object({ ref, universityCode }),
});

export const visitEventSchema = z.discriminatedUnion('type', [recorded, retracted], {
  error: 'must be visit.recorded, visit.amended or visit.retracted',
});
export type VisitEvent = z.infer<typeof visitEventSchema>;
export type RecordedVisitEvent = z.infer<typeof recorded>;

export const MAX_BATCH_EVENTS = 1000;

/** JSON Schema of one event, for the OpenAPI document (validation itself goes through zod). */
export function visitEventJsonSchema(): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(visitEventSchema, {
    unrepresentable: 'any',
    io: 'input',
  }) as Record<string, unknown>;
  return schema;
}

/** JSON-pointer path of a zod issue: `/visit/leaders/0/role`; the whole body is `/`. */
export function pointer(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  const p = path.map((k) => String(k).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
  return p ? `${prefix}/${p}` : prefix || '/';
}

export type ParseResult = { ok: true; event: VisitEvent } | { ok: false; errors: FieldError[] };

/** Checks the shape of one event. Unknown fields are allowed and dropped from `event` (they stay in the raw body). */
export function parseVisitEvent(body: unknown): ParseResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { ok: false, errors: [{ path: '/', message: 'must be a JSON object (one visit event)' }] };
  const unsafe = unsafeInJson(body);
  if (unsafe) return { ok: false, errors: [{ path: unsafe.where, message: `must not hold ${unsafe.what}` }] };
  const r = visitEventSchema.safeParse(body);
  if (r.success) return { ok: true, event: r.data };
  return { ok: false, errors: r.error.issues.map((i) => ({ path: pointer(i.path), message: i.message })) };
}

/** The best-effort eventId of a body that may be invalid (batch results name their event when they can). */
export function eventIdOf(body: unknown): string | undefined {
  const id = (body as { eventId?: unknown } | null)?.eventId;
  return typeof id === 'string' ? id : undefined;
}

// ── rules that need reference data (422) ────────────────────────────────────────────────────────────────
export interface ReferenceFacts {
  /** The university's province, or undefined when the university is unknown. */
  universityProvince: string | undefined;
  /** The campaign's period (inclusive, YYYY-MM-DD), or undefined when unknown or not named. */
  campaign: { start: string; end: string } | undefined;
}

/**
 * How far after its receipt an event may say it occurred. The latest occurredAt decides a visit's state, so an event
 * dated years ahead (a wrong clock, a typo) would pin that visit for ever: no correction could ever be later.
 */
export const MAX_OCCURRED_AHEAD_MS = 24 * 3600 * 1000;

/** The 422 reasons of an event whose shape is valid; empty when it may be stored. `receivedAt`: when it arrived. */
export function checkRules(event: VisitEvent, facts: ReferenceFacts, receivedAt: Date = new Date()): FieldError[] {
  const errors: FieldError[] = [];
  if (Date.parse(event.occurredAt) > receivedAt.getTime() + MAX_OCCURRED_AHEAD_MS) {
    errors.push({
      path: '/occurredAt',
      message: `${event.occurredAt} is more than a day after the event was received (${receivedAt.toISOString()}): send the time the visit was recorded or changed, and check the sending system's clock`,
    });
  }
  if (facts.universityProvince === undefined) {
    errors.push({
      path: '/visit/universityCode',
      message: `unknown university ${event.visit.universityCode}: import it first (ledger import universities)`,
    });
  }
  if (event.campaignId !== undefined && facts.campaign === undefined) {
    errors.push({
      path: '/campaignId',
      message: `unknown campaign ${event.campaignId}: create it first (ledger campaign create)`,
    });
  }
  if (event.type !== 'visit.retracted') {
    const { start, end } = facts.campaign ?? {};
    if (start && end && (event.visit.visitedOn < start || event.visit.visitedOn > end)) {
      errors.push({
        path: '/visit/visitedOn',
        message: `${event.visit.visitedOn} is outside campaign ${event.campaignId} (${start} to ${end})`,
      });
    }
    const code = event.visit.employer.creditCode;
    if (code !== undefined && code !== null && !isValidCreditCode(normalizeCreditCode(code))) {
      errors.push({
        path: '/visit/employer/creditCode',
        message:
          'is not a valid unified social credit code (GB 32100-2015: 18 characters, check character wrong or missing)',
      });
    }
  }
  return errors;
}

// ── body hash ───────────────────────────────────────────────────────────────────────────────────────────
/**
 * JSON with object keys sorted (recursively), no whitespace: two bodies that differ only in key order or formatting
 * have the same canonical text. Array order matters. Numbers use JavaScript's shortest form (1.0 and 1 are equal).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** sha256 hex of the canonical JSON of the event as sent (unknown fields included): decides duplicate vs conflict. */
export function bodyHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}
