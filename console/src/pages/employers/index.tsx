// 用人单位 (admin): the review queue, each provisional employer beside its candidate, confirmed (merged into it) or
// rejected with a reason; search employers by any spelling or credit code; merge and split with a reason; the audit.
import { App, Input, Table, Tabs, Typography, Empty, Skeleton, Space } from 'antd';
import { useState } from 'react';
import { formatNumber } from '../../components/format';
import { ProblemResult } from '../../components/ProblemResult';
import { useApi } from '../../components/useApi';
import {
  decideReview,
  employer,
  merge,
  REVIEW_PAGE,
  reviewQueue,
  searchEmployers,
  split,
} from '../../services/employers';
import type { EmployerSearchPage } from '../../services/types';
import { EmployerDrawer } from './EmployerDrawer';
import { ReasonModal, type ReasonRequest } from './ReasonModal';
import { ReviewCard } from './ReviewCard';
import { T } from './strings';

export default function EmployersPage() {
  const { message } = App.useApp();
  const queue = useApi(reviewQueue, []);
  const [search, setSearch] = useState({ q: '', page: 1, pageSize: 20 });
  const found = useApi(
    () => (search.q ? searchEmployers(search.q, search.page, search.pageSize) : Promise.resolve(undefined)),
    [search],
  );
  const [selected, setSelected] = useState<number | null>(null);
  const detail = useApi(() => (selected ? employer(selected) : Promise.resolve(undefined)), [selected]);
  const [asking, setAsking] = useState<ReasonRequest | null>(null);

  const afterChange = () => {
    queue.reload();
    found.reload();
    detail.reload();
  };

  const review = (
    <>
      <Typography.Paragraph data-testid="queue-count">
        {queue.data
          ? (queue.data.length < REVIEW_PAGE ? T.queueCount : T.queueCountMore)(formatNumber(queue.data.length))
          : null}
      </Typography.Paragraph>
      {queue.error ? (
        <ProblemResult error={queue.error} onRetry={queue.reload} />
      ) : !queue.data ? (
        <Skeleton active />
      ) : queue.data.length === 0 ? (
        <Empty description={T.queueEmpty} />
      ) : (
        <Space direction="vertical" size={12} style={{ width: '100%' }}>
          {queue.data.map((item) => (
            <ReviewCard
              key={item.id}
              item={item}
              onAsk={(decision) =>
                setAsking({
                  title: decision === 'confirm' ? T.confirm : T.reject,
                  defaultReason: decision === 'confirm' ? T.defaultConfirm : T.defaultReject,
                  run: async ({ reason }) => {
                    const res = await decideReview(item.id, decision, reason);
                    void message.success(T.decided[res.decision]);
                    afterChange();
                  },
                })
              }
            />
          ))}
        </Space>
      )}
    </>
  );

  const searchTab = (
    <>
      <Input.Search
        allowClear
        enterButton
        placeholder={T.search}
        aria-label={T.search}
        onSearch={(q) => setSearch({ ...search, q: q.trim(), page: 1 })}
        style={{ maxWidth: 480 }}
        className="filters"
      />
      {found.error ? (
        <ProblemResult error={found.error} onRetry={found.reload} />
      ) : (
        <Table<EmployerSearchPage['rows'][number]>
          size="small"
          rowKey="id"
          loading={found.loading && !!search.q}
          dataSource={found.data?.rows ?? []}
          scroll={{ x: 700 }}
          data-testid="employer-search"
          onRow={(r) => ({ onClick: () => setSelected(r.id) })}
          pagination={{
            current: search.page,
            pageSize: search.pageSize,
            total: found.data?.total ?? 0,
            showTotal: (n) => T.total(formatNumber(n)),
            onChange: (page, pageSize) => setSearch({ ...search, page, pageSize }),
          }}
          columns={[
            { title: T.columns.id, dataIndex: 'id', width: 90 },
            {
              title: T.columns.name,
              dataIndex: 'canonicalName',
              render: (n: string, r) => (
                <a
                  href="#employer"
                  onClick={(e) => {
                    e.preventDefault();
                    setSelected(r.id);
                  }}
                >
                  {n}
                </a>
              ),
            },
            { title: T.columns.creditCode, dataIndex: 'creditCode', render: (c: string | null) => c ?? '—' },
            { title: T.columns.status, dataIndex: 'status', render: (s: string) => T.status[s] ?? s },
            { title: T.columns.spellings, dataIndex: 'spellings', align: 'right', render: formatNumber },
            { title: T.columns.visits, dataIndex: 'visits', align: 'right', render: formatNumber },
          ]}
        />
      )}
    </>
  );

  return (
    <div className="page" data-page="employers">
      <Typography.Title level={1} className="page-title">
        {T.title}
      </Typography.Title>
      <Tabs
        items={[
          { key: 'review', label: T.tabs.review, children: review },
          { key: 'search', label: T.tabs.search, children: searchTab },
        ]}
      />
      <EmployerDrawer
        open={selected !== null}
        detail={detail.data}
        error={detail.error}
        onClose={() => setSelected(null)}
        onSplit={(s) =>
          setAsking({
            title: T.splitTitle(s.spelling),
            run: async ({ reason }) => {
              const res = await split(s.id, reason);
              void message.success(T.splitDone(res.to));
              afterChange();
            },
          })
        }
        onMerge={() =>
          setAsking({
            title: T.merge,
            askInto: true,
            run: async ({ reason, into }) => {
              if (!selected || !into) return;
              const res = await merge(selected, into, reason);
              void message.success(T.mergeDone(res.into));
              setSelected(res.into);
              afterChange();
            },
          })
        }
      />
      <ReasonModal request={asking} onClose={() => setAsking(null)} />
    </div>
  );
}
