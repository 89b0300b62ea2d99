// A province's 实施方案 filing: on time, late (after the campaign's deadline) or not filed.
import { Tag } from 'antd';
import type { PlanFiling } from '../services/types';

const TEXT = { filed: '按时报送', late: '逾期报送', missing: '未报送' };

export function PlanTag({ filing }: { filing: Pick<PlanFiling, 'filedOn' | 'late'> }) {
  if (!filing.filedOn) return <Tag color="orange">{TEXT.missing}</Tag>;
  return filing.late ? <Tag color="volcano">{TEXT.late}</Tag> : <Tag color="green">{TEXT.filed}</Tag>;
}
