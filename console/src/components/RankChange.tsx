// A rank change since the last weekly snapshot: ↑3 (moved up), ↓2, — (same), or nothing to compare with.
export function RankChange({ change }: { change: number | null | undefined }) {
  if (change === null || change === undefined)
    return (
      <span className="rank-change rank-none" title="上期无排名">
        —
      </span>
    );
  if (change === 0)
    return (
      <span className="rank-change rank-same" title="排名不变">
        持平
      </span>
    );
  const up = change > 0;
  return (
    <span
      className={`rank-change ${up ? 'rank-up' : 'rank-down'}`}
      title={`${up ? '上升' : '下降'}${Math.abs(change)}位`}
    >
      {up ? '↑' : '↓'}
      {Math.abs(change)}
    </span>
  );
}
