// 高校 (the university's own users, its province's, national, admin): each target's progress (measure / target against
// the time elapsed), the rank in its province, every measure, the visits ledger (search, month, mode, leader, paging),
// the tally per leader (任务到人), the visit form (new, amend, retract) through POST /v1/visit-events, and the
// spreadsheet ledger (电子表格台账: template, upload, an answer per row) through POST /v1/visit-ledgers.
import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Descriptions, Row, Skeleton, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useCampaign } from '../../app/campaign';
import { roleOf, useSession } from '../../app/session';
import { CompletionBar } from '../../components/CompletionBar';
import { formatDate, formatNumber, formatPercent, todayInShanghai } from '../../components/format';
import { PlanTag } from '../../components/PlanTag';
import { ProblemResult } from '../../components/ProblemResult';
import { provinceName } from '../../components/provinces';
import { useApi } from '../../components/useApi';
import type { LeaderTally, Outreach, PlaceKind, Progress, VisitRow } from '../../services/types';
import {
  leaders,
  progress,
  submitVisitEvent,
  visits,
  waitForProcessing,
  type VisitFilter,
} from '../../services/universities';
import { LedgerSheet } from './LedgerSheet';
import { refusalOf, VisitForm } from './VisitForm';
import { VisitsLedger } from './VisitsLedger';
import { PLACE_KINDS, ROLES, SHEET, T } from './strings';
import { KINDS as CENTRAL_KINDS } from '../central/strings';
import { retraction } from './visit-events';

function Targets({ p }: { p: Progress }) {
  const m = p.measures;
  const items = [
    m.targets.principal !== null
      ? {
          key: 'principal',
          label: T.targetPrincipal,
          measure: m.principalEmployers,
          target: m.targets.principal,
          ratio: m.ratios.principal ?? 0,
        }
      : null,
    m.targets.new !== null
      ? { key: 'new', label: T.targetNew, measure: m.newEmployers, target: m.targets.new, ratio: m.ratios.new ?? 0 }
      : null,
  ].filter((x) => x !== null);
  return (
    <Row gutter={[12, 12]}>
      <Col xs={24} md={8}>
        <Card size="small" className="figure" data-figure="completion">
          <div className="figure-label">{T.completion}</div>
          <div className="figure-value">{formatPercent(m.completion)}</div>
          <CompletionBar completion={m.completion} expected={m.expected} behind={m.behind} />
          <div className="figure-hint">
            {T.expected(formatPercent(m.expected))}{' '}
            {m.behind ? <Tag color="red">{T.behind}</Tag> : <Tag color="green">{T.onTrack}</Tag>}
          </div>
        </Card>
      </Col>
      {items.length ? (
        items.map((t) => (
          <Col xs={24} md={8} key={t.key}>
            <Card size="small" className="figure" data-figure={`target-${t.key}`}>
              <div className="figure-label">{t.label}</div>
              <div className="figure-value">{T.ofTarget(formatNumber(t.measure), formatNumber(t.target))}</div>
              <CompletionBar completion={t.ratio} expected={m.expected} behind={m.behind} />
            </Card>
          </Col>
        ))
      ) : (
        <Col xs={24} md={16}>
          <Card size="small" className="figure">
            <div className="figure-label">{T.targetNone}</div>
            <div className="figure-value">{formatNumber(m.employersVisited)}</div>
          </Card>
        </Col>
      )}
    </Row>
  );
}

function Measures({ p }: { p: Progress }) {
  const m = p.measures;
  const n = T.m;
  const items: Array<{ key: string; label: string; children: React.ReactNode }> = [
    { key: 'visits', label: n.visits, children: formatNumber(m.visits) },
    { key: 'employersVisited', label: n.employersVisited, children: formatNumber(m.employersVisited) },
    { key: 'principalEmployers', label: n.principalEmployers, children: formatNumber(m.principalEmployers) },
    { key: 'newEmployers', label: n.newEmployers, children: formatNumber(m.newEmployers) },
    { key: 'positions', label: n.positions, children: formatNumber(m.positions) },
    { key: 'internshipBases', label: n.internshipBases, children: formatNumber(m.internshipBases) },
    { key: 'recruitmentInvites', label: n.recruitmentInvites, children: formatNumber(m.recruitmentInvites) },
    { key: 'demandSurveys', label: n.demandSurveys, children: formatNumber(m.demandSurveys) },
    { key: 'graduatesTracked', label: n.graduatesTracked, children: formatNumber(m.graduatesTracked) },
    {
      key: 'meanSatisfaction',
      label: n.meanSatisfaction,
      children: m.meanSatisfaction === null ? '—' : m.meanSatisfaction.toFixed(2),
    },
    {
      key: 'onsiteShare',
      label: n.onsiteShare,
      children: (
        <>
          {formatPercent(m.onsiteShare)} {m.onsiteFlag ? <Tag color="orange">{T.onsiteLow}</Tag> : null}
        </>
      ),
    },
  ];
  return (
    <Descriptions
      size="small"
      bordered
      column={{ xs: 1, sm: 2, lg: 4 }}
      items={items.map((i) => ({ ...i, children: <span data-measure={i.key}>{i.children}</span> }))}
    />
  );
}

/** 全员联动 and the rest beside the measures (never part of completion): staff, places, new positions, hired. */
function OutreachFigures({ o }: { o: Outreach }) {
  const n = T.o;
  const kinds = (Object.keys(PLACE_KINDS) as PlaceKind[]).filter((k) => o.placeKinds[k].visits > 0);
  const items: Array<{ key: string; label: string; children: React.ReactNode }> = [
    { key: 'allEmployersReached', label: n.allEmployersReached, children: formatNumber(o.allEmployersReached) },
    { key: 'staffVisits', label: n.staffVisits, children: formatNumber(o.staffVisits) },
    { key: 'staffOnlyVisits', label: n.staffOnlyVisits, children: formatNumber(o.staffOnlyVisits) },
    { key: 'staffParticipants', label: n.staffParticipants, children: formatNumber(o.staffParticipants) },
    { key: 'newPositions', label: n.newPositions, children: formatNumber(o.newPositions) },
    { key: 'hired', label: n.hired, children: formatNumber(o.hired) },
    {
      key: 'placeKinds',
      label: n.placeKinds,
      children: kinds.length ? (
        <span data-place-kinds={JSON.stringify(o.placeKinds)}>
          {kinds
            .map((k) =>
              T.placeKind(
                PLACE_KINDS[k],
                formatNumber(o.placeKinds[k].visits),
                formatNumber(o.placeKinds[k].employers),
              ),
            )
            .join('；')}
        </span>
      ) : (
        '—'
      ),
    },
  ];
  return (
    <Descriptions
      size="small"
      bordered
      column={{ xs: 1, sm: 2, lg: 3 }}
      items={items.map((i) => ({ ...i, children: <span data-outreach={i.key}>{i.children}</span> }))}
    />
  );
}

export default function UniversityPage() {
  const { code = '' } = useParams();
  const { user } = useSession();
  const { campaign, asOf } = useCampaign();
  const { message } = App.useApp();
  const c = campaign!;
  const [filter, setFilter] = useState<VisitFilter>({ page: 1, pageSize: 20 });
  const [form, setForm] = useState<{ open: boolean; amends?: VisitRow }>({ open: false });
  const prog = useApi(() => progress(c.id, code, asOf), [c.id, code, asOf]);
  const tally = useApi(() => leaders(c.id, code, asOf), [c.id, code, asOf]);
  const ledger = useApi(() => visits(c.id, code, filter), [c.id, code, filter]);

  const reloadAll = () => {
    prog.reload();
    tally.reload();
    ledger.reload();
  };

  const retract = async (row: VisitRow) => {
    try {
      const res = await submitVisitEvent(retraction(row, { campaignId: c.id, universityCode: code }));
      if (res.status === 'accepted') await waitForProcessing(res.eventId);
      void message.success(T.answer.retracted);
      reloadAll();
    } catch (err) {
      void message.error(refusalOf(err).text);
    }
  };

  if (prog.error) return <ProblemResult error={prog.error} onRetry={prog.reload} />;
  const p = prog.data;
  const showProvince = user && roleOf(user) !== 'university';
  const today = todayInShanghai();
  const formDay = today < c.start ? c.start : today > c.end ? c.end : today;

  return (
    <div className="page" data-page="university">
      <Typography.Title level={1} className="page-title">
        {p?.university.name ?? code}
        <span className="page-title-sub">{T.asOf(formatDate(asOf))}</span>
      </Typography.Title>
      {p ? (
        <>
          <Descriptions
            size="small"
            column={{ xs: 1, sm: 3 }}
            className="section"
            items={[
              {
                key: 'province',
                label: T.province,
                children: showProvince ? (
                  <Link to={`/provinces/${p.university.provinceCode}`}>{provinceName(p.university.provinceCode)}</Link>
                ) : (
                  provinceName(p.university.provinceCode)
                ),
              },
              {
                key: 'rank',
                label: T.rank,
                children: (
                  <span data-measure="rankInProvince">
                    {T.rankValue(formatNumber(p.rankInProvince), formatNumber(p.universitiesInProvince))}
                  </span>
                ),
              },
              ...(p.central
                ? [
                    {
                      key: 'central',
                      label: T.centralRank(CENTRAL_KINDS[p.central.kind]),
                      children: (
                        <span data-measure="centralRank">
                          {T.rankValue(formatNumber(p.central.rank), formatNumber(p.central.universities))}
                        </span>
                      ),
                    },
                  ]
                : []),
              ...(p.plan
                ? [
                    {
                      key: 'plan',
                      label: T.plan,
                      children: (
                        <span
                          data-measure="plan"
                          data-plan={p.plan.filedOn ? (p.plan.late ? 'late' : 'filed') : 'missing'}
                        >
                          {p.plan.filedOn ? formatDate(p.plan.filedOn) : null} <PlanTag filing={p.plan} />
                          {p.plan.link ? (
                            <a href={p.plan.link} target="_blank" rel="noopener noreferrer">
                              {T.planLink}
                            </a>
                          ) : null}
                          {p.plan.deadline ? (
                            <span className="hint"> {T.planDeadline(formatDate(p.plan.deadline))}</span>
                          ) : null}
                        </span>
                      ),
                    },
                  ]
                : []),
            ]}
          />
          <section className="section" aria-labelledby="targets">
            <h2 id="targets" className="section-title">
              {T.targets}
            </h2>
            <Targets p={p} />
          </section>
          <section className="section" aria-labelledby="measures">
            <h2 id="measures" className="section-title">
              {T.measures}
            </h2>
            <Measures p={p} />
          </section>
          {p.measures.outreach ? (
            <section className="section" aria-labelledby="outreach">
              <h2 id="outreach" className="section-title">
                {T.outreach}
              </h2>
              <OutreachFigures o={p.measures.outreach} />
            </section>
          ) : null}
        </>
      ) : (
        <Skeleton active />
      )}
      <Card
        className="section"
        size="small"
        title={<h2 className="card-title">{T.ledger}</h2>}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setForm({ open: true })}
            data-testid="new-visit"
          >
            {T.newVisit}
          </Button>
        }
      >
        {ledger.error ? (
          <ProblemResult error={ledger.error} onRetry={ledger.reload} />
        ) : (
          <VisitsLedger
            page={ledger.data}
            loading={ledger.loading}
            filter={filter}
            campaign={c}
            leaderNames={tally.data?.leaders.map((l) => l.name) ?? []}
            onFilter={setFilter}
            onAmend={(row) => setForm({ open: true, amends: row })}
            onRetract={(row) => void retract(row)}
          />
        )}
      </Card>
      <Card className="section" size="small" title={<h2 className="card-title">{SHEET.title}</h2>}>
        <LedgerSheet campaignId={c.id} universityCode={code} onProcessed={reloadAll} />
      </Card>
      <Card
        className="section"
        size="small"
        title={<h2 className="card-title">{T.leaders}</h2>}
        extra={
          tally.data ? (
            <span data-measure="teamCoverage">
              {tally.data.team.coverage === null
                ? T.noRoster
                : T.team(
                    formatNumber(tally.data.team.withVisits),
                    formatNumber(tally.data.team.rosterSize),
                    formatPercent(tally.data.team.coverage),
                  )}
              {tally.data.team.coverageLow ? (
                <Tag color="orange" style={{ marginInlineStart: 8 }}>
                  {T.coverageLow}
                </Tag>
              ) : null}
            </span>
          ) : null
        }
      >
        <Table<LeaderTally['leaders'][number]>
          size="small"
          rowKey="name"
          loading={tally.loading}
          dataSource={tally.data?.leaders ?? []}
          pagination={false}
          scroll={{ x: 600 }}
          data-testid="leaders"
          columns={[
            {
              title: T.leaderColumns.name,
              dataIndex: 'name',
              render: (name: string, l) => (
                <>
                  {name}
                  {l.onRoster === false ? (
                    <Tag color="orange" style={{ marginInlineStart: 8 }}>
                      {T.notOnRoster}
                    </Tag>
                  ) : null}
                </>
              ),
            },
            {
              title: T.leaderColumns.roles,
              dataIndex: 'roles',
              render: (rs: Array<keyof typeof ROLES>, l) =>
                l.role ? (l.title ?? ROLES[l.role]) : rs.map((r) => ROLES[r]).join('、'),
            },
            { title: T.leaderColumns.visits, dataIndex: 'visits', align: 'right', render: formatNumber },
            {
              title: T.leaderColumns.employersVisited,
              dataIndex: 'employersVisited',
              align: 'right',
              render: formatNumber,
            },
            { title: T.leaderColumns.newEmployers, dataIndex: 'newEmployers', align: 'right', render: formatNumber },
            { title: T.leaderColumns.positions, dataIndex: 'positions', align: 'right', render: formatNumber },
          ]}
        />
      </Card>
      <VisitForm
        open={form.open}
        amends={form.amends}
        campaign={c}
        universityCode={code}
        today={formDay}
        onClose={() => setForm({ open: false })}
        onProcessed={reloadAll}
      />
    </div>
  );
}
