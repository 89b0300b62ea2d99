// 部属和部省合建高校 (central users' landing page; national and admin too): the 部属 and 部省合建 universities ranked
// among themselves (GET /v1/campaigns/{id}/rankings?scope=central), each marked with its kind and linking to the
// university's page (a central user may read it), filtered by kind and searched; the demand ledger of the scope as .xlsx.
import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Input, Select, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useCampaign } from '../../app/campaign';
import { Figures } from '../../components/Figures';
import { formatDate, formatNumber, formatPeriod } from '../../components/format';
import { ProblemResult } from '../../components/ProblemResult';
import { provinceName } from '../../components/provinces';
import { rankingColumns } from '../../components/rankingColumns';
import { useApi } from '../../components/useApi';
import { centralRanking, demandLedgerUrl } from '../../services/campaigns';
import type { CentralKind, UniversityRankingRow } from '../../services/types';
import { KINDS, T } from './strings';

export default function CentralPage() {
  const { campaign, asOf } = useCampaign();
  const id = campaign!.id;
  const ranking = useApi(() => centralRanking(id, asOf), [id, asOf]);
  const [kind, setKind] = useState<CentralKind | undefined>();
  const [search, setSearch] = useState('');

  const all = useMemo(() => ranking.data?.rows ?? [], [ranking.data]);
  const rows = useMemo(() => {
    const q = search.trim();
    return all
      .filter((r) => !kind || r.flags?.central === kind)
      .filter((r) => !q || r.universityName.includes(q) || r.universityCode.includes(q));
  }, [all, kind, search]);

  if (ranking.error) return <ProblemResult error={ranking.error} onRetry={ranking.reload} />;

  // Counts of the ranking's rows: the central universities have no overview of their own (docs/console-api.md).
  const f = T.figures;
  const figures = [
    { key: 'universities', label: f.universities, value: formatNumber(all.length) },
    {
      key: 'ministry',
      label: f.ministry,
      value: formatNumber(all.filter((r) => r.flags?.central === 'ministry').length),
    },
    { key: 'joint', label: f.joint, value: formatNumber(all.filter((r) => r.flags?.central === 'joint').length) },
    { key: 'behind', label: f.behind, value: formatNumber(all.filter((r) => r.behind).length) },
  ];
  const c = T.columns;
  const rc = rankingColumns();

  return (
    <div className="page" data-page="central">
      <Typography.Title level={1} className="page-title">
        {T.title}
        <span className="page-title-sub">{T.asOf(formatDate(asOf))}</span>
      </Typography.Title>
      <Typography.Paragraph className="hint">{T.intro}</Typography.Paragraph>
      {ranking.data ? <Figures items={figures} /> : <Skeleton active />}
      <Card
        className="section"
        size="small"
        title={<h2 className="card-title">{T.ranking}</h2>}
        extra={
          <Button
            icon={<DownloadOutlined />}
            href={demandLedgerUrl(id, 'central', asOf)}
            download
            data-testid="demand-ledger"
          >
            {T.demand}
          </Button>
        }
      >
        <Space wrap size={[16, 8]} className="filters">
          <Select<CentralKind>
            allowClear
            aria-label={T.kind}
            placeholder={T.allKinds}
            value={kind}
            onChange={setKind}
            style={{ width: 160 }}
            options={(Object.keys(KINDS) as CentralKind[]).map((k) => ({ value: k, label: KINDS[k] }))}
          />
          <Input.Search
            allowClear
            placeholder={T.search}
            aria-label={T.search}
            onSearch={setSearch}
            onChange={(e) => setSearch(e.target.value)}
            style={{ width: 240 }}
          />
          <span className="hint">
            {T.count(formatNumber(rows.length), formatNumber(all.length))}
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
          locale={{ emptyText: T.empty }}
          pagination={{ defaultPageSize: 50, showSizeChanger: true, pageSizeOptions: [20, 50, 100, 200] }}
          scroll={{ x: 1100 }}
          data-testid="central-ranking"
          rowClassName={(r) => (r.behind ? 'row-behind' : '')}
          columns={[
            rc.rank,
            rc.change,
            {
              title: c.university,
              dataIndex: 'universityName',
              render: (n: string, r) => <Link to={`/universities/${r.universityCode}`}>{n}</Link>,
            },
            {
              title: c.kind,
              key: 'kind',
              width: 90,
              render: (_, r) =>
                r.flags?.central ? (
                  <Tag color={r.flags.central === 'joint' ? undefined : 'blue'} data-kind={r.flags.central}>
                    {KINDS[r.flags.central]}
                  </Tag>
                ) : null,
            },
            { title: c.unit, dataIndex: 'provinceCode', width: 130, render: (p: string) => provinceName(p) },
            rc.completion,
            rc.principal,
            rc.newEmployers,
            rc.employers,
            rc.positions,
            rc.state,
          ]}
        />
      </Card>
    </div>
  );
}
