// 通报 (national, admin, province users): the notices the user may read, each viewable as its HTML with the chart,
// its ledger downloadable as .xlsx and the notice itself as an official document (.docx, .pdf), with its deliveries by state; admins can resend.
import { Button, Modal, Popconfirm, Select, Space, Table, Tag, Typography, App } from 'antd';
import { useMemo, useState } from 'react';
import { useCampaign } from '../../app/campaign';
import { roleOf, useSession } from '../../app/session';
import { DeliveryTags } from '../../components/DeliveryTags';
import { formatDate, formatNumber, formatPeriod } from '../../components/format';
import { ProblemResult } from '../../components/ProblemResult';
import { scopeLabel } from '../../components/provinces';
import { useApi } from '../../components/useApi';
import { listNotices, noticeUrl, resendNotice } from '../../services/notices';
import type { NoticeKind, NoticeSummary } from '../../services/types';
import { T } from './strings';

/** What a notice downloads as: its ledger, and the notice itself as an official document. */
const DOWNLOADS = [
  { format: 'xlsx', short: T.download, long: T.download },
  { format: 'docx', short: T.docx, long: T.downloadDocx },
  { format: 'pdf', short: T.pdf, long: T.downloadPdf },
] as const;

export default function NoticesPage() {
  const { campaign } = useCampaign();
  const { user } = useSession();
  const { message } = App.useApp();
  const id = campaign!.id;
  const [kind, setKind] = useState<NoticeKind | undefined>();
  const list = useApi(() => listNotices(id, kind), [id, kind]);
  const [period, setPeriod] = useState<string | undefined>();
  const [viewing, setViewing] = useState<NoticeSummary | null>(null);
  const isAdmin = user ? roleOf(user) === 'admin' : false;

  const periods = useMemo(() => [...new Set((list.data?.notices ?? []).map((n) => n.period))], [list.data]);
  const rows = (list.data?.notices ?? []).filter((n) => !period || n.period === period);

  if (list.error) return <ProblemResult error={list.error} onRetry={list.reload} />;

  const resend = async (n: NoticeSummary) => {
    try {
      const res = await resendNotice(n.id);
      void message.success(T.resent(formatNumber(res.deliveryIds.length)));
      list.reload();
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    }
  };

  const c = T.columns;
  return (
    <div className="page" data-page="notices">
      <Typography.Title level={1} className="page-title">
        {T.title}
      </Typography.Title>
      <Typography.Paragraph className="hint">{T.intro}</Typography.Paragraph>
      <Space className="filters" wrap>
        <Select<NoticeKind>
          allowClear
          aria-label={T.kind}
          placeholder={T.allKinds}
          value={kind}
          onChange={(k) => {
            setKind(k);
            setPeriod(undefined);
          }}
          style={{ width: 160 }}
          data-testid="notice-kind"
          options={(Object.keys(T.kinds) as NoticeKind[]).map((k) => ({ value: k, label: T.kinds[k] }))}
        />
        <Select<string>
          allowClear
          aria-label={T.period}
          placeholder={T.allPeriods}
          value={period}
          onChange={setPeriod}
          style={{ width: 200 }}
          options={periods.map((p) => ({ value: p, label: p === 'summary' ? T.summaryPeriod : formatPeriod(p) }))}
        />
      </Space>
      <Table<NoticeSummary>
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={rows}
        scroll={{ x: 1000 }}
        data-testid="notices"
        locale={{ emptyText: T.empty }}
        pagination={{ defaultPageSize: 32, showSizeChanger: true }}
        columns={[
          {
            title: c.kind,
            dataIndex: 'kind',
            width: 90,
            render: (k: NoticeKind | undefined) => (
              <Tag color={k === 'summary' ? undefined : 'blue'} data-kind={k ?? 'periodic'}>
                {T.kinds[k ?? 'periodic']}
              </Tag>
            ),
          },
          {
            title: c.period,
            dataIndex: 'period',
            width: 130,
            render: (p: string) => (p === 'summary' ? T.summaryPeriod : formatPeriod(p)),
          },
          { title: c.scope, dataIndex: 'scope', width: 140, render: (s: string) => scopeLabel(s) },
          { title: c.subject, dataIndex: 'subject' },
          { title: c.asOf, dataIndex: 'asOf', width: 130, render: (d: string) => formatDate(d) },
          {
            title: c.deliveries,
            dataIndex: 'deliveries',
            render: (d: NoticeSummary['deliveries']) => <DeliveryTags deliveries={d} />,
          },
          {
            title: c.actions,
            key: 'actions',
            width: 300,
            render: (_, n) => (
              <Space size={0} wrap>
                <Button type="link" size="small" onClick={() => setViewing(n)} aria-label={`${T.view} ${n.subject}`}>
                  {T.view}
                </Button>
                {DOWNLOADS.map((d) => (
                  <Button
                    key={d.format}
                    type="link"
                    size="small"
                    href={noticeUrl(n.id, d.format)}
                    download
                    aria-label={`${d.long} ${n.subject}`}
                  >
                    {d.short}
                  </Button>
                ))}
                {isAdmin ? (
                  <Popconfirm title={T.resendConfirm} onConfirm={() => void resend(n)} okText={T.resend}>
                    <Button type="link" size="small" aria-label={`${T.resend} ${n.subject}`}>
                      {T.resend}
                    </Button>
                  </Popconfirm>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={viewing !== null}
        title={viewing?.subject ?? T.viewer}
        onCancel={() => setViewing(null)}
        footer={[
          ...(viewing
            ? DOWNLOADS.map((d) => (
                <Button key={d.format} href={noticeUrl(viewing.id, d.format)} download>
                  {d.long}
                </Button>
              ))
            : []),
          <Button key="close" type="primary" onClick={() => setViewing(null)}>
            {T.close}
          </Button>,
        ]}
        width={960}
      >
        {viewing ? (
          // The notice's own HTML (chart as a data: URI), isolated from the console: no scripts, no same-origin access.
          <iframe
            className="notice-frame"
            title={viewing.subject}
            src={noticeUrl(viewing.id, 'html')}
            sandbox=""
            data-testid="notice-frame"
          />
        ) : null}
      </Modal>
    </div>
  );
}
