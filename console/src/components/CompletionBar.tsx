// A completion bar with the time elapsed (expected) marked on it: red when flagged behind.
import { formatPercent } from './format';

export function CompletionBar({
  completion,
  expected,
  behind,
}: {
  completion: number;
  expected?: number;
  behind?: boolean;
}) {
  const label = `完成率 ${formatPercent(completion)}${expected === undefined ? '' : `，时间进度 ${formatPercent(expected)}`}`;
  return (
    <div className="completion" role="img" aria-label={label} title={label}>
      <div className="completion-track">
        <div
          className={`completion-fill${behind ? ' completion-behind' : ''}`}
          style={{ width: `${Math.min(100, completion * 100)}%` }}
        />
        {expected === undefined ? null : (
          <div className="completion-expected" style={{ left: `${Math.min(100, expected * 100)}%` }} />
        )}
      </div>
      <span className="completion-text">{formatPercent(completion)}</span>
    </div>
  );
}
