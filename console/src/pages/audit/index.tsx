// 审计日志: the auditor reads the audit trail newest first, filtered by actor, action and time, a page at a time, and
// downloads the selection as CSV (GET /v1/audit, /v1/audit.csv; auditor accounts only).
import { Button, Form, Input, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { formatDateTime } from '../../components/format';
import { ProblemResult } from '../../components/ProblemResult';
import { useApi } from '../../components/useApi';
import { auditCsvUrl, listAuditEntries, type AuditQuery } from '../../services/audit';
import type { AuditEntry } from '../../services/types';
import { T } from './strings';

const RESULT_COLOUR = { ok: 'green', denied: 'orange', failed: 'red' } as const;

const brief = (value: unknown): string => (value === null || value === undefined ? '' : JSON.stringify(value));

export default function AuditPage() {
  const [filters, setFilters] = useState<AuditQuery>({});
  const [before, setBefore] = useState<number | undefined>();
  const page = useApi(() => listAuditEntries({ ...filters, before }), [filters, before]);
  const [form] = Form.useForm<AuditQuery>();
  const c = T.columns;

  if (page.error) return <ProblemResult error={page.error} onRetry={page.reload} />;

  return (
    <div className="page" data-page="audit">
      <Typography.Title level={1} className="page-title">
        {T.title}
      </Typography.Title>
      <Typography.Paragraph className="hint">{T.intro}</Typography.Paragraph>
      <Form<AuditQuery>
        form={form}
        layout="inline"
        className="filters"
        onFinish={(v) => {
          setBefore(undefined);
          setFilters({ ...v });
        }}
      >
        <Form.Item label={T.actor} name="actor">
          <Input allowClear style={{ width: 160 }} />
        </Form.Item>
        <Form.Item label={T.action} name="action">
          <Input allowClear style={{ width: 180 }} placeholder="session.login" />
        </Form.Item>
        <Form.Item label={T.since} name="since">
          <Input allowClear style={{ width: 150 }} placeholder="2026-12-01" />
        </Form.Item>
        <Form.Item label={T.until} name="until">
          <Input allowClear style={{ width: 150 }} placeholder="2026-12-08" />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            {T.search}
          </Button>
          <Button
            onClick={() => {
              form.resetFields();
              setBefore(undefined);
              setFilters({});
            }}
          >
            {T.reset}
          </Button>
          <Button href={auditCsvUrl(filters)} download>
            {T.csv}
          </Button>
        </Space>
      </Form>
      <Table<AuditEntry>
        size="small"
        rowKey="seq"
        loading={page.loading}
        dataSource={page.data?.entries ?? []}
        data-testid="audit"
        tableLayout="fixed"
        pagination={false}
        locale={{ emptyText: T.empty }}
        columns={[
          { title: c.seq, dataIndex: 'seq', width: 80 },
          { title: c.at, dataIndex: 'at', width: 160, render: (at: string) => formatDateTime(at) },
          {
            title: c.actor,
            key: 'actor',
            width: 160,
            render: (_, e) => `${e.actor.name ?? '—'}（${T.kinds[e.actor.kind]}）`,
          },
          { title: c.address, key: 'address', width: 130, render: (_, e) => e.actor.address ?? '—' },
          { title: c.action, dataIndex: 'action', width: 170 },
          { title: c.target, dataIndex: 'target', width: 120, render: (t: string | null) => t ?? '—' },
          {
            title: c.result,
            dataIndex: 'result',
            width: 80,
            render: (r: AuditEntry['result']) => (
              <Tag color={RESULT_COLOUR[r]} data-result={r}>
                {T.results[r]}
              </Tag>
            ),
          },
          {
            title: c.detail,
            key: 'detail',
            render: (_, e) => (
              <Typography.Text className="audit-detail" ellipsis={{ tooltip: true }}>
                {[brief(e.detail), brief(e.after)].filter(Boolean).join(' ')}
              </Typography.Text>
            ),
          },
        ]}
      />
      <Space className="section">
        {before !== undefined ? <Button onClick={() => setBefore(undefined)}>{T.first}</Button> : null}
        {page.data?.nextBefore ? (
          <Button onClick={() => setBefore(page.data!.nextBefore ?? undefined)}>{T.more}</Button>
        ) : null}
      </Space>
    </div>
  );
}
