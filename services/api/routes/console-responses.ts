// The answers of the console's endpoints (docs/console-api.md) as JSON Schema, on their routes' `response`: the
// OpenAPI document then describes them, and the console's types are generated from it (npm run console:api-types).
// Fastify also serializes with them, and a field a schema does not name is left out of the answer: every field of
// every answer is named here (test/integration/console-response-schemas.test.ts compares answers with the use cases').
const str = { type: 'string' } as const;
const date = { type: 'string', description: 'YYYY-MM-DD' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const bool = { type: 'boolean' } as const;
const nullable = <T extends { type: string }>(s: T) => ({ ...s, type: [s.type, 'null'] }) as const;

/** An object whose every property is required (absent optional fields are listed in `optional`). */
function obj<P extends Record<string, unknown>>(properties: P, optional: readonly (keyof P)[] = []) {
  return {
    type: 'object',
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    properties,
  } as const;
}
const list = <T>(items: T) => ({ type: 'array', items }) as const;
const ok = (schema: unknown) => ({ 200: schema });

const placeKindFigures = obj({ visits: int, employers: int });
/** Staff, places and incremental outcomes (issue 15; shared/domain/outreach.ts). */
const outreach = obj({
  allEmployersReached: int,
  staffVisits: int,
  staffOnlyVisits: int,
  staffParticipants: int,
  newPositions: int,
  hired: int,
  placeKinds: obj({
    enterprise: placeKindFigures,
    park: placeKindFigures,
    association: placeKindFigures,
    institution: placeKindFigures,
    other: placeKindFigures,
  }),
});

// ── Campaigns, overview, trend, visits ledger, leaders ───────────────────────────────────────────────────────────────
export const campaignsAnswer = ok(
  obj({ campaigns: list(obj({ id: str, name: str, start: date, end: date, planDeadline: nullable(date) })) }),
);

export const overviewAnswer = ok(
  obj({
    campaignId: str,
    asOf: date,
    scope: str,
    totals: obj(
      {
        visits: int,
        employers: int,
        newEmployers: int,
        positions: int,
        internshipBases: int,
        graduatesTracked: int,
        universitiesWithVisits: int,
        outreach,
      },
      ['outreach'],
    ),
    universities: obj({ total: int, meetingTargets: int, behind: int, shareMeeting: num }),
    expected: num,
    meanCompletion: num,
    planDeadline: nullable(date),
    plans: list(obj({ provinceCode: str, provinceName: str, filedOn: nullable(date), late: bool })),
  }),
);

export const trendAnswer = ok(
  obj({
    campaignId: str,
    scope: str,
    points: list(
      obj(
        {
          period: str,
          asOf: date,
          universities: int,
          meetingTargets: int,
          shareMeeting: num,
          meanCompletion: num,
          rank: { ...int, description: "a province's rank that week; absent for the national trend" },
        },
        ['rank'],
      ),
    ),
  }),
);

const leaderRole = { type: 'string', enum: ['secretary', 'president', 'leader'] } as const;

export const visitsAnswer = ok(
  obj({
    campaignId: str,
    universityCode: str,
    total: int,
    page: int,
    pageSize: int,
    rows: list(
      obj({
        ref: str,
        visitedOn: nullable(date),
        mode: { type: ['string', 'null'], enum: ['onsite', 'invited', 'online', null] },
        leaders: list(
          obj({
            role: leaderRole,
            name: str,
            onRoster: {
              type: ['boolean', 'null'],
              description: "false: not on the university's roster; null: no roster",
            },
          }),
        ),
        employer: obj({
          id: nullable(int),
          name: nullable(str),
          nameAsWritten: nullable(str),
          creditCode: nullable(str),
          regionCode: nullable(str),
        }),
        outcomes: obj({
          positions: int,
          internshipBase: bool,
          recruitmentInvite: bool,
          demandSurvey: bool,
          graduatesTracked: int,
          satisfaction: nullable(int),
          newPositions: int,
          hired: int,
        }),
        staff: list(
          obj({ role: { type: 'string', enum: ['teacher', 'counsellor', 'administrator'] }, name: str }, ['name']),
        ),
        placeKind: {
          type: ['string', 'null'],
          enum: ['enterprise', 'park', 'association', 'institution', 'other', null],
        },
        majors: list(str),
        notes: nullable(str),
        counted: bool,
        occurredAt: str,
        eventId: str,
        writtenBy: {
          ...nullable(obj({ name: str, scope: str })),
          description:
            "代录: the person who wrote the visit for the university (null: the university's own account or key)",
        },
      }),
    ),
  }),
);

export const leadersAnswer = ok(
  obj({
    campaignId: str,
    universityCode: str,
    asOf: date,
    leaders: list(
      obj({
        name: str,
        role: { type: ['string', 'null'], enum: ['secretary', 'president', 'leader', null] },
        title: nullable(str),
        onRoster: { type: ['boolean', 'null'], description: "false: not on the university's roster; null: no roster" },
        roles: list(leaderRole),
        visits: int,
        employersVisited: int,
        newEmployers: int,
        positions: int,
      }),
    ),
    team: obj({
      rosterSize: int,
      withVisits: int,
      coverage: nullable(num),
      coverageLow: bool,
      withoutVisits: list(obj({ name: str, role: leaderRole, title: nullable(str) })),
      unknownNames: list(str),
    }),
  }),
);

// ── Employers (admin) ───────────────────────────────────────────────────────────────────────────────────────────────
const employerStatus = { type: 'string', enum: ['active', 'provisional', 'merged'] } as const;

export const employerSearchAnswer = ok(
  obj({
    total: int,
    page: int,
    pageSize: int,
    rows: list(
      obj({
        id: int,
        canonicalName: str,
        creditCode: nullable(str),
        status: employerStatus,
        spellings: int,
        visits: int,
      }),
    ),
  }),
);

const employerSide = nullable({
  ...obj({
    id: int,
    canonicalName: str,
    creditCode: nullable(str),
    status: employerStatus,
    spellings: { ...list(str), description: 'at most 20, oldest first' },
    visits: int,
  }),
});

export const reviewSidesAnswer = ok(
  obj({
    reviews: list(
      obj({
        id: int,
        employer_id: int,
        employer_name: str,
        candidate_id: int,
        candidate_name: str,
        score: num,
        spelling: str,
        status: { type: 'string', enum: ['pending', 'confirmed', 'rejected'] },
        created_at: time,
        decided_at: nullable(time),
        decided_by: nullable(str),
        reason: nullable(str),
        visits: int,
        employer: employerSide,
        candidate: employerSide,
      }),
    ),
  }),
);

// ── API keys, accounts, recipients ──────────────────────────────────────────────────────────────────────────────────
const keyClient = obj({ id: int, name: str, scope: str, createdAt: time, revokedAt: nullable(time) });
export const clientsAnswer = ok(obj({ clients: list(keyClient) }));
export const newClientAnswer = {
  201: obj({ id: int, name: str, scope: str, key: { ...str, description: 'shown in this answer only' } }),
};
export const revokedClientAnswer = ok(obj({ id: int, revokedAt: time }));

const user = obj({
  id: int,
  name: str,
  scope: str,
  email: nullable(str),
  createdAt: time,
  passwordChangedAt: time,
  lastLoginAt: nullable(time),
  disabledAt: nullable(time),
  mustChangePassword: {
    type: 'boolean',
    description: 'the password was set by an administrator: changed at first sign-in',
  },
  temporaryUntil: { ...nullable(time), description: 'when that temporary password stops signing in' },
  proxy: { ...list(str), description: '代录 grants: province:CODE or university:CODE' },
});
const userWithPassword = obj({
  user,
  password: { ...str, description: 'shown in this answer only; temporary: it must be changed at first sign-in' },
});
export const usersAnswer = ok(obj({ users: list(user) }));
export const newUserAnswer = { 201: userWithPassword };
export const disabledUserAnswer = ok(obj({ user }));
export const passwordResetAnswer = ok(userWithPassword);

const recipient = obj({
  id: int,
  scope: str,
  kind: { type: 'string', enum: ['email', 'webhook'] },
  address: { ...str, description: 'webhook addresses masked as `ledger recipients list` prints them' },
  format: { type: ['string', 'null'], enum: ['json', 'wecom', 'dingtalk', null] },
  hasSecret: bool,
  createdAt: time,
  removedAt: nullable(time),
});
export const recipientsAnswer = ok(obj({ recipients: list(recipient) }));
export const recipientAnswer = { 200: obj({ recipient }), 201: obj({ recipient }) };
export const removedRecipientAnswer = ok(obj({ id: int, removed: bool }));

// ── Dead letters, queues, resend ────────────────────────────────────────────────────────────────────────────────────
export const deadLettersAnswer = ok(
  obj({
    deadLetters: list(
      obj({
        id: int,
        inboxId: int,
        eventId: str,
        clientId: int,
        universityCode: str,
        visitRef: str,
        reason: str,
        attempts: int,
        createdAt: time,
        replayedAt: nullable(time),
      }),
    ),
  }),
);
export const replayAnswer = ok(obj({ replayed: list(int), inboxIds: list(int), enqueued: bool }));

export const queuesAnswer = ok(
  obj({
    redis: { type: 'string', enum: ['up', 'down'] },
    queues: list(obj({ name: str, waiting: int, active: int, delayed: int, failed: int, completed: int })),
    inbox: obj({ accepted: int, lagSeconds: int }),
    boardUrl: str,
  }),
);

export const resendAnswer = { 202: obj({ noticeId: int, deliveryIds: list(int), queued: bool }) };
