// 全国概览 (national and admin): headline figures, the map of China by share of universities meeting targets, the
// province ranking with rank changes, the weekly trend, and which provinces filed their 实施方案 and when.
import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Row, Skeleton, Table, Tag, Typography } from 'antd';
import { useCallback } from 'react';
import { Link, useNavigate } from 'react-router';
import { useCampaign } from '../../app/campaign';
import { ChinaMap } from '../../components/charts/ChinaMap';
import { TrendChart } from '../../components/charts/TrendChart';
import { CompletionBar } from '../../components/CompletionBar';
import { Figures } from '../../components/Figures';
import { formatDate, formatNumber, formatPercent, formatPeriod } from '../../components/format';
import { PlanTag } from '../../components/PlanTag';
import { ProblemResult } from '../../components/ProblemResult';
import { RankChange } from '../../components/RankChange';
import { useApi } from '../../components/useApi';
import { demandLedgerUrl, overview, provinceRanking, trend } from '../../services/campaigns';
import type { Overview, PlanFiling, ProvinceRankingRow } from '../../services/types';
import { T } from './strings';

function headline(o: Overview) {
  const f = T.figures;
  return [
    { key: 'visits', label: f.visits, value: formatNumber(o.totals.visits) },
    { key: 'employers', label: f.employers, value: formatNumber(o.totals.employers), hint: f.employersHint },
    { key: 'newEmployers', label: f.newEmployers, value: formatNumber(o.totals.newEmployers) },
    { key: 'positions', label: f.positions, value: formatNumber(o.totals.positions) },
    {
      key: 'meetingTargets',
      label: f.meeting,
      value: `${formatNumber(o.universities.meetingTargets)} / ${formatNumber(o.universities.total)}`,
      hint: f.meetingHint(formatPercent(o.universities.shareMeeting)),
    },
    { key: 'behind', label: f.behind, value: formatNumber(o.universities.behind) },
    {
      key: 'meanCompletion',
      label: f.progress,
      value: formatPercent(o.meanCompletion),
      hint: f.progressHint(formatPercent(o.expected)),
    },
  ];
}

export default function OverviewPage() {
  const { campaign, asOf } = useCampaign();
  const navigate = useNavigate();
  const id = campaign!.id;
  const figures = useApi(() => overview(id, 'national', asOf), [id, asOf]);
  const ranking = useApi(() => provinceRanking(id, asOf), [id, asOf]);
  const weekly = useApi(() => trend(id, 'national'), [id]);
  const open = useCallback((code: string) => void navigate(`/provinces/${code}`), [navigate]);

  const error = figures.error ?? ranking.error;
  if (error) return <ProblemResult error={error} onRetry={figures.reload} />;

  const c = T.columns;
  return (
    <div className="page" data-page="overview">
      <Typography.Title level={1} className="page-title">
        {T.title}
        <span className="page-title-sub">{T.asOf(formatDate(asOf))}</span>
      </Typography.Title>
      <div className="page-actions">
        <Button
          icon={<DownloadOutlined />}
          href={demandLedgerUrl(id, 'national', asOf)}
          download
          data-testid="demand-ledger"
        >
          {T.demand}
        </Button>
      </div>
      {figures.data ? <Figures items={headline(figures.data)} /> : <Skeleton active />}
      <Row gutter={[12, 12]} className="section">
        <Col xs={24} xl={14}>
          <Card title={<h2 className="card-title">{T.map}</h2>} size="small">
            <Typography.Paragraph className="hint">{T.mapHint}</Typography.Paragraph>
            {ranking.data ? <ChinaMap rows={ranking.data.rows} onSelect={open} /> : <Skeleton active />}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card
            title={<h2 className="card-title">{T.plans}</h2>}
            size="small"
            extra={figures.data?.planDeadline ? T.deadline(formatDate(figures.data.planDeadline)) : null}
          >
            <Table<PlanFiling>
              size="small"
              rowKey="provinceCode"
              loading={!figures.data}
              dataSource={figures.data?.plans ?? []}
              pagination={false}
              scroll={{ y: 420 }}
              columns={[
                {
                  title: T.planColumns.province,
                  dataIndex: 'provinceName',
                  render: (name: string, p) => <Link to={`/provinces/${p.provinceCode}`}>{name}</Link>,
                },
                { title: T.planColumns.filedOn, dataIndex: 'filedOn', render: (d: string | null) => formatDate(d) },
                { title: T.planColumns.state, key: 'state', render: (_, p) => <PlanTag filing={p} /> },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <Card
        className="section"
        size="small"
        title={<h2 className="card-title">{T.ranking}</h2>}
        extra={
          ranking.data?.changesSince
            ? T.changesSince(formatPeriod(ranking.data.changesSince.period))
            : ranking.data
              ? T.noChanges
              : null
        }
      >
        <Table<ProvinceRankingRow>
          size="small"
          rowKey="provinceCode"
          loading={ranking.loading && !ranking.data}
          dataSource={ranking.data?.rows ?? []}
          pagination={false}
          scroll={{ x: 900 }}
          data-testid="province-ranking"
          columns={[
            { title: c.rank, dataIndex: 'rank', width: 64 },
            {
              title: c.change,
              dataIndex: 'rankChange',
              width: 72,
              render: (v: number | null) => <RankChange change={v} />,
            },
            {
              title: c.province,
              dataIndex: 'provinceName',
              render: (name: string, r) => <Link to={`/provinces/${r.provinceCode}`}>{name}</Link>,
            },
            { title: c.universities, dataIndex: 'universities', align: 'right', render: formatNumber },
            { title: c.meeting, dataIndex: 'meetingTargets', align: 'right', render: formatNumber },
            { title: c.share, dataIndex: 'shareMeeting', align: 'right', render: (v: number) => formatPercent(v) },
            {
              title: c.mean,
              dataIndex: 'meanCompletion',
              width: 180,
              render: (v: number) => <CompletionBar completion={v} />,
            },
            { title: c.positions, dataIndex: 'positions', align: 'right', render: formatNumber },
            {
              title: c.plan,
              dataIndex: 'planFiledOn',
              render: (d: string | null) => (d ? formatDate(d) : <Tag color="orange">{T.plan.missing}</Tag>),
            },
          ]}
        />
      </Card>
      <Card className="section" size="small" title={<h2 className="card-title">{T.trend}</h2>}>
        {weekly.data ? (
          weekly.data.points.length ? (
            <TrendChart points={weekly.data.points} />
          ) : (
            <Typography.Paragraph>{T.noTrend}</Typography.Paragraph>
          )
        ) : weekly.error ? (
          <ProblemResult error={weekly.error} onRetry={weekly.reload} />
        ) : (
          <Skeleton active />
        )}
      </Card>
    </div>
  );
}
