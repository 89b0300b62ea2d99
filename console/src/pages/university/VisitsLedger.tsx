// The visits ledger as a table with its filters (search, month, mode, leader) and paging; amend and retract per row.
// Renders what the page fetched; filter and page changes go back to the page.
import { Button, DatePicker, Input, Popconfirm, Select, Space, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { formatDate, formatNumber } from '../../components/format';
import type { Campaign, PlaceKind, VisitMode, VisitPage, VisitRow } from '../../services/types';
import type { VisitFilter } from '../../services/universities';
import { MODES, PLACE_KINDS, ROLES, STAFF_ROLES, T } from './strings';

export interface VisitsLedgerProps {
  page: VisitPage | undefined;
  loading: boolean;
  filter: VisitFilter;
  campaign: Campaign;
  leaderNames: string[];
  onFilter: (filter: VisitFilter) => void;
  onAmend?: (row: VisitRow) => void;
  onRetract?: (row: VisitRow) => void;
}

export function VisitsLedger({
  page,
  loading,
  filter,
  campaign,
  leaderNames,
  onFilter,
  onAmend,
  onRetract,
}: VisitsLedgerProps) {
  const set = (change: Partial<VisitFilter>) => onFilter({ ...filter, page: 1, ...change });
  const c = T.columns;
  return (
    <>
      <Space wrap size={[12, 8]} className="filters">
        <Input.Search
          allowClear
          placeholder={T.filters.search}
          aria-label={T.filters.search}
          defaultValue={filter.q}
          onSearch={(q) => set({ q: q || undefined })}
          style={{ width: 280 }}
        />
        <DatePicker
          picker="month"
          aria-label={T.filters.month}
          placeholder={T.filters.month}
          format="YYYY年M月"
          value={filter.month ? dayjs(`${filter.month}-01`) : null}
          disabledDate={(d) => d.isBefore(dayjs(campaign.start).startOf('month')) || d.isAfter(dayjs(campaign.end))}
          onChange={(d) => set({ month: d ? d.format('YYYY-MM') : undefined })}
        />
        <Select<VisitMode>
          allowClear
          aria-label={T.filters.mode}
          placeholder={T.filters.mode}
          value={filter.mode}
          onChange={(mode) => set({ mode })}
          style={{ width: 130 }}
          options={(Object.keys(MODES) as VisitMode[]).map((m) => ({ value: m, label: MODES[m] }))}
        />
        <Select<string>
          allowClear
          showSearch
          aria-label={T.filters.leader}
          placeholder={T.filters.leader}
          value={filter.leader}
          onChange={(leader) => set({ leader })}
          style={{ width: 150 }}
          options={leaderNames.map((n) => ({ value: n, label: n }))}
        />
      </Space>
      <Table<VisitRow>
        size="small"
        rowKey="ref"
        loading={loading}
        dataSource={page?.rows ?? []}
        scroll={{ x: 1200 }}
        data-testid="visits"
        pagination={{
          current: filter.page,
          pageSize: filter.pageSize,
          total: page?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [10, 20, 50, 100],
          showTotal: (n) => T.total(formatNumber(n)),
          onChange: (p, size) => onFilter({ ...filter, page: size === filter.pageSize ? p : 1, pageSize: size }),
        }}
        columns={[
          { title: c.visitedOn, dataIndex: 'visitedOn', width: 120, render: (d: string) => formatDate(d) },
          { title: c.ref, dataIndex: 'ref', width: 150 },
          {
            title: c.employer,
            key: 'employer',
            render: (_, r) => (
              <div>
                <div>{r.employer.name}</div>
                {r.employer.nameAsWritten && r.employer.nameAsWritten !== r.employer.name ? (
                  <div className="hint">{T.asWritten(r.employer.nameAsWritten)}</div>
                ) : null}
                {r.counted ? null : <Tag color="orange">{T.notCounted}</Tag>}
              </div>
            ),
          },
          { title: c.creditCode, key: 'creditCode', render: (_, r) => r.employer.creditCode ?? '—' },
          { title: c.mode, dataIndex: 'mode', width: 90, render: (m: VisitMode) => MODES[m] },
          {
            title: c.placeKind,
            dataIndex: 'placeKind',
            width: 90,
            render: (k: PlaceKind | null) => (k ? PLACE_KINDS[k] : '—'),
          },
          {
            title: c.leaders,
            key: 'leaders',
            render: (_, r) => (
              <div data-staff-only={r.leaders.length === 0 && r.staff.length > 0 ? 'true' : undefined}>
                {r.leaders.length === 0 && r.staff.length > 0 ? <Tag color="blue">{T.staffOnly}</Tag> : null}
                {r.leaders
                  .map((l) => `${l.name}（${ROLES[l.role]}${l.onRoster === false ? `，${T.notOnRoster}` : ''}）`)
                  .join('、')}
                {r.staff.length ? (
                  <div className="hint">
                    {T.staffList(
                      r.staff
                        .map((p) => (p.name ? `${p.name}（${STAFF_ROLES[p.role]}）` : STAFF_ROLES[p.role]))
                        .join('、'),
                    )}
                  </div>
                ) : null}
              </div>
            ),
          },
          {
            title: c.positions,
            key: 'positions',
            align: 'right',
            width: 70,
            render: (_, r) => formatNumber(r.outcomes.positions),
          },
          {
            title: c.outcomes,
            key: 'outcomes',
            render: (_, r) => (
              <Space size={[2, 2]} wrap>
                {r.outcomes.newPositions ? (
                  <Tag>{T.outcomes.newPositions(formatNumber(r.outcomes.newPositions))}</Tag>
                ) : null}
                {r.outcomes.hired ? <Tag>{T.outcomes.hired(formatNumber(r.outcomes.hired))}</Tag> : null}
                {r.outcomes.internshipBase ? <Tag>{T.outcomes.internshipBase}</Tag> : null}
                {r.outcomes.recruitmentInvite ? <Tag>{T.outcomes.recruitmentInvite}</Tag> : null}
                {r.outcomes.demandSurvey ? <Tag>{T.outcomes.demandSurvey}</Tag> : null}
              </Space>
            ),
          },
          {
            title: c.writtenBy,
            key: 'writtenBy',
            width: 140,
            render: (_, r) => (r.writtenBy ? T.writtenBy(r.writtenBy.name, r.writtenBy.scope) : '—'),
          },
          ...(onAmend && onRetract
            ? [
                {
                  title: c.actions,
                  key: 'actions',
                  width: 130,
                  fixed: 'right' as const,
                  render: (_: unknown, r: VisitRow) => (
                    <Space size={0}>
                      <Button type="link" size="small" onClick={() => onAmend(r)} aria-label={`${T.amend} ${r.ref}`}>
                        {T.amend}
                      </Button>
                      <Popconfirm title={T.retractConfirm} onConfirm={() => onRetract(r)} okText={T.retract}>
                        <Button type="link" size="small" danger aria-label={`${T.retract} ${r.ref}`}>
                          {T.retract}
                        </Button>
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
    </>
  );
}
