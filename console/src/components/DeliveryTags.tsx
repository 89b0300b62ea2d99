// A notice's deliveries by state.
import { Space, Tag } from 'antd';
import type { Deliveries } from '../services/types';
import { formatNumber } from './format';

const STATES: Array<{ key: keyof Deliveries; label: string; color: string }> = [
  { key: 'delivered', label: '已送达', color: 'green' },
  { key: 'pending', label: '待发送', color: 'default' },
  { key: 'sending', label: '发送中', color: 'blue' },
  { key: 'failed', label: '失败', color: 'red' },
];

export function DeliveryTags({ deliveries }: { deliveries: Deliveries }) {
  return (
    <Space size={[4, 4]} wrap>
      {STATES.map((s) => (
        <Tag key={s.key} color={s.color} data-delivery={s.key}>
          {s.label} {formatNumber(deliveries[s.key])}
        </Tag>
      ))}
    </Space>
  );
}
