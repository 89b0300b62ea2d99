// 省份 (national, admin, and that province's own users): its universities ranked, with completion bars against the
// time elapsed, targets and measures, behind flagged and the rank change since the last weekly snapshot; filters
// (behind only, 新建本科 / 高职 / below-average placement), sort and search; the province's ledger as .xlsx (the
// export of its latest notice). Another province's user gets the API's 403.
import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Checkbox, Input, Select, Skeleton, Space, Switch, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useCampaign } from '../../app/campaign';
import { Figures } from '../../components/Figures';
import { formatDate, formatNumber, formatPercent, formatPeriod } from '../../components/format';
import { PlanTag } from '../../components/PlanTag';
import { ProblemResult } from '../../components/ProblemResult';
import { provinceName } from '../../components/provinces';
import { rankingColumns } from '../../components/rankingColumns';
import { useApi } from '../../components/useApi';
import { demandLedgerUrl, overview, universityRanking } from '../../services/campaigns';
import { listNotices, noticeUrl } from '../../services/notices';
import type { Overview, UniversityRankingRow } from '../../services/types';
import { T } from './strings';

type TypeFilter = 'newUndergrad' | 'vocational' | 'belowAveragePlacement';
type Sort = keyof typeof T.sorts;

const SORTS: Record<Sort, (a: UniversityRankingRow, b: UniversityRankingRow) => number> = {
  rank: (a, b) => a.rank - b.rank,
  completion: (a, b) => a.completion - b.completion || a.rank - b.rank,
  employers: (a, b) => b.employersVisited - a.employersVisited || a.rank - b.rank,
  positions: (a, b) => b.positions - a.positions || a.rank - b.rank,
  change: (a, b) => (b.rankChange ?? -Infinity) - (a.rankChange ?? -Infinity) || a.rank - b.rank,
};

function headline(o: Overview) {
  const f = T.figures;
  const plan = o.plans[0];
  return [
    { key: 'universities', label: f.universities, value: formatNumber(o.universities.total) },
    { key: 'meetingTargets', label: f.meeting, value: formatNumber(o.universities.meetingTargets) },
    { key: 'behind', label: f.behind, value: formatNumber(o.universities.behind) },
    { key: 'employers', label: f.employers, value: formatNumber(o.totals.employers) },
    { key: 'positions', label: f.positions, value: formatNumber(o.totals.positions) },
    {
      key: 'meanCompletion',
      label: f.progress,
      value: formatPercent(o.meanCompletion),
      hint: f.progressHint(formatPercent(o.expected)),
    },
    {
      key: 'plan',
      label: f.plan,
      value: plan?.filedOn ? formatDate(plan.filedOn) : '—',
      hint: plan ? <PlanTag filing={plan} /> : null,
    },
  ];
}

export default function ProvincePage() {
  const { code = '' } = useParams();
  const { campaign, asOf } = useCampaign();
  const id = campaign!.id;
  const figures = useApi(() => overview(id, `province:${code}`, asOf), [id, code, asOf]);
  const ranking = useApi(() => universityRanking(id, code, asOf), [id, code, asOf]);
  const notices = useApi(() => listNotices(id), [id]);

  const [behindOnly, setBehindOnly] = useState(false);
  const [types, setTypes] = useState<TypeFilter[]>([]);
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<Sort>('rank');

  const rows = useMemo(() => {
    const q = search.trim();
    return (ranking.data?.rows ?? [])
      .filter((r) => !behindOnly || r.behind)
      .filter((r) => types.every((t) => r.flags?.[t]))
      .filter((r) => !q || r.universityName.includes(q) || r.universityCode.includes(q))
      .sort(SORTS[sort]);
  }, [ranking.data, behindOnly, types, search, sort]);

  const error = figures.error ?? ranking.error;
  if (error) return <ProblemResult error={error} onRetry={ranking.reload} />;

  const name = figures.data?.plans[0]?.provinceName ?? provinceName(code);
  const latest = notices.data?.notices.find((n) => n.scope === `province:${code}`);
  const expected = figures.data?.expected;
  const c = T.columns;
  const rc = rankingColumns(expected);
  const total = ranking.data?.rows.length ?? 0;

  return (
    <div className="page" data-page="province">
      <Typography.Title level={1} className="page-title">
        {T.title(name)}
        <span className="page-title-sub">{T.asOf(formatDate(asOf))}</span>
      </Typography.Title>
      {figures.data ? <Figures items={headline(figures.data)} /> : <Skeleton active />}
      <Card
        className="section"
        size="small"
        title={<h2 className="card-title">{T.ranking}</h2>}
        extra={
          <Space wrap size={[8, 8]}>
            {latest ? (
              <Button icon={<DownloadOutlined />} href={noticeUrl(latest.id, 'xlsx')} download data-testid="export">
                {T.exportOf(formatPeriod(latest.period))}
              </Button>
            ) : (
              <Button icon={<DownloadOutlined />} disabled title={T.noExport}>
                {T.export}
              </Button>
            )}
            <Button
              icon={<DownloadOutlined />}
              href={demandLedgerUrl(id, `province:${code}`, asOf)}
              download
              data-testid="demand-ledger"
            >
              {T.demand}
            </Button>
          </Space>
        }
      >
        <Space wrap size={[16, 8]} className="filters">
          <label className="filter-switch">
            <Switch checked={behindOnly} onChange={setBehindOnly} aria-label={T.filters.behindOnly} />{' '}
            {T.filters.behindOnly}
          </label>
          <Checkbox.Group<TypeFilter>
            aria-label={T.filters.types}
            value={types}
            onChange={setTypes}
            options={[
              { value: 'newUndergrad', label: T.filters.newUndergrad },
              { value: 'vocational', label: T.filters.vocational },
              { value: 'belowAveragePlacement', label: T.filters.belowAverage },
            ]}
          />
          <Input.Search
            allowClear
            placeholder={T.filters.search}
            aria-label={T.filters.search}
            onSearch={setSearch}
            onChange={(e) => setSearch(e.target.value)}
            style={{ width: 240 }}
          />
          <Select<Sort>
            aria-label={T.filters.sort}
            value={sort}
            onChange={setSort}
            style={{ width: 180 }}
            options={(Object.keys(T.sorts) as Sort[]).map((k) => ({ value: k, label: T.sorts[k] }))}
          />
          <span className="hint">
            {T.count(formatNumber(rows.length), formatNumber(total))}
            {ranking.data?.changesSince
              ? `；${T.changesSince(formatPeriod(ranking.data.changesSince.period))}`
              : ranking.data
                ? `；${T.noChanges}`
                : ''}
          </span>
        </Space>
        <Table<UniversityRankingRow>
          size="small"
          rowKey="universityCode"
          loading={ranking.loading}
          dataSource={rows}
          pagination={{ defaultPageSize: 20, showSizeChanger: true, pageSizeOptions: [20, 50, 100] }}
          scroll={{ x: 1100 }}
          data-testid="university-ranking"
          rowClassName={(r) => (r.behind ? 'row-behind' : '')}
          columns={[
            rc.rank,
            rc.change,
            {
              title: c.university,
              dataIndex: 'universityName',
              render: (n: string, r) => (
                <Space size={4} wrap>
                  <Link to={`/universities/${r.universityCode}`}>{n}</Link>
                  {r.flags?.newUndergrad ? <Tag>{T.filters.newUndergrad}</Tag> : null}
                  {r.flags?.vocational ? <Tag>{T.filters.vocational}</Tag> : null}
                  {r.flags?.belowAveragePlacement ? <Tag>{T.filters.belowAverage}</Tag> : null}
                </Space>
              ),
            },
            rc.completion,
            rc.principal,
            rc.newEmployers,
            rc.employers,
            rc.positions,
            {
              title: c.onsite,
              dataIndex: 'onsiteShare',
              align: 'right',
              render: (v: number | null, r) => (
                <span>
                  {formatPercent(v)} {r.onsiteFlag ? <Tag color="orange">{T.onsiteLow}</Tag> : null}
                </span>
              ),
            },
            rc.state,
          ]}
        />
      </Card>
    </div>
  );
}
