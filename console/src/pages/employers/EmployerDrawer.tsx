// One employer: its spellings (each can be split off), merge into another, and the audit trail.
import { Button, Descriptions, Drawer, Skeleton, Space, Table, Typography } from 'antd';
import { formatDateTime, formatNumber } from '../../components/format';
import { ProblemResult } from '../../components/ProblemResult';
import type { ApiError } from '../../services/client';
import type { EmployerDetail } from '../../services/types';
import { T } from './strings';

export interface EmployerDrawerProps {
  open: boolean;
  detail: EmployerDetail | undefined;
  error: ApiError | undefined;
  onClose: () => void;
  onSplit: (spelling: EmployerDetail['spellings'][number]) => void;
  onMerge: () => void;
}

export function EmployerDrawer({ open, detail, error, onClose, onSplit, onMerge }: EmployerDrawerProps) {
  const d = detail;
  return (
    <Drawer open={open} onClose={onClose} size={720} title={d ? T.detail(d.canonical_name) : ''}>
      {error ? (
        <ProblemResult error={error} />
      ) : !d ? (
        <Skeleton active />
      ) : (
        <>
          <Descriptions
            size="small"
            bordered
            column={{ xs: 1, sm: 2 }}
            items={[
              { key: 'id', label: T.columns.id, children: d.id },
              {
                key: 'status',
                label: T.fields.status,
                children: <span data-testid="employer-status">{T.status[d.status] ?? d.status}</span>,
              },
              { key: 'code', label: T.fields.creditCode, children: d.credit_code ?? '—' },
              {
                key: 'visits',
                label: T.fields.visits,
                children: <span data-testid="employer-visits">{formatNumber(d.visits)}</span>,
              },
              { key: 'prior', label: T.priorEmployers, children: formatNumber(d.priorEmployers) },
            ]}
          />
          <Space className="section">
            <Button onClick={onMerge} disabled={d.status === 'merged'}>
              {T.merge}
            </Button>
          </Space>
          <Typography.Title level={3} className="section-title">
            {T.spellings}
          </Typography.Title>
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={d.spellings}
            scroll={{ x: 600 }}
            columns={[
              { title: T.spellingColumns.spelling, dataIndex: 'spelling' },
              { title: T.spellingColumns.normalized, dataIndex: 'normalized_name' },
              { title: T.spellingColumns.creditCode, dataIndex: 'credit_code', render: (c: string | null) => c ?? '—' },
              {
                title: T.spellingColumns.firstSeen,
                dataIndex: 'first_seen_at',
                render: (t: string) => formatDateTime(t),
              },
              {
                title: '',
                key: 'split',
                render: (_, s) => (
                  <Button size="small" onClick={() => onSplit(s)} disabled={d.spellings.length < 2}>
                    {T.split}
                  </Button>
                ),
              },
            ]}
          />
          <Typography.Title level={3} className="section-title">
            {T.audit}
          </Typography.Title>
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={d.audit}
            data-testid="audit"
            columns={[
              { title: T.auditColumns.at, dataIndex: 'at', render: (t: string) => formatDateTime(t) },
              { title: T.auditColumns.action, dataIndex: 'action', render: (a: string) => T.actions[a] ?? a },
              { title: T.auditColumns.actor, dataIndex: 'actor' },
              { title: T.auditColumns.reason, dataIndex: 'reason' },
            ]}
          />
        </>
      )}
    </Drawer>
  );
}
