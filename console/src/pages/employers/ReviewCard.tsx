// One review item: the provisional employer beside its candidate, with confirm and reject.
import { Button, Card, Col, Descriptions, Row, Space, Tag } from 'antd';
import { formatNumber, formatPercent } from '../../components/format';
import type { EmployerSide, ReviewItem } from '../../services/types';
import { T } from './strings';

function Side({
  title,
  side,
  fallbackName,
  testId,
}: {
  title: string;
  side: EmployerSide | null;
  fallbackName: string;
  testId: string;
}) {
  const f = T.fields;
  return (
    <Descriptions
      size="small"
      bordered
      column={1}
      title={title}
      styles={{ label: { whiteSpace: 'nowrap' } }}
      data-testid={testId}
      items={[
        { key: 'name', label: f.name, children: side?.canonicalName ?? fallbackName },
        { key: 'code', label: f.creditCode, children: side?.creditCode ?? '—' },
        { key: 'status', label: f.status, children: side ? (T.status[side.status] ?? side.status) : '—' },
        {
          key: 'spellings',
          label: f.spellings,
          children: (
            <Space size={[4, 4]} wrap>
              {(side?.spellings ?? []).map((s) => (
                <Tag key={s}>{s}</Tag>
              ))}
            </Space>
          ),
        },
        { key: 'visits', label: f.visits, children: <span data-visits>{formatNumber(side?.visits)}</span> },
      ]}
    />
  );
}

export function ReviewCard({ item, onAsk }: { item: ReviewItem; onAsk: (decision: 'confirm' | 'reject') => void }) {
  return (
    <Card
      size="small"
      className="review-card"
      data-review={item.id}
      title={`${T.spelling}：${item.spelling}`}
      extra={<Tag color="blue">{T.score(formatPercent(item.score, 0))}</Tag>}
    >
      <Row gutter={[12, 12]}>
        <Col xs={24} md={12}>
          <Side title={T.provisional} side={item.employer} fallbackName={item.employer_name} testId="provisional" />
        </Col>
        <Col xs={24} md={12}>
          <Side title={T.candidate} side={item.candidate} fallbackName={item.candidate_name} testId="candidate" />
        </Col>
      </Row>
      <Space className="review-actions">
        <Button type="primary" onClick={() => onAsk('confirm')}>
          {T.confirm}
        </Button>
        <Button onClick={() => onAsk('reject')}>{T.reject}</Button>
      </Space>
    </Card>
  );
}
