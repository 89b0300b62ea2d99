// The replica's lag from WAL positions: an idle primary is no lag, however old the last replayed commit.
import { describe, expect, it } from 'vitest';
import { lagSeconds, parseLsn } from '../../shared/db/read-routing.ts';

describe('replica lag', () => {
  it('reads WAL positions as numbers', () => {
    expect(parseLsn('0/3000148')).toBe(0x3000148n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
  });

  it('is 0 when the replica has replayed what the primary had written, even an hour after the last commit', () => {
    const history: Array<{ at: number; lsn: bigint }> = [];
    const now = 10_000_000;
    const lag = lagSeconds({ at: now, primaryLsn: 500n, replayedLsn: 500n, replayedAt: now - 3_600_000 }, history, now);
    expect(lag).toBe(0);
  });

  it('is the age of the newest primary state the replica holds: the last sample it reached, or its last commit', () => {
    const history: Array<{ at: number; lsn: bigint }> = [];
    const t0 = 1_000_000;
    // Idle primary at 100, replica there; then a write moves the primary to 200 and replay stops at 100.
    expect(lagSeconds({ at: t0, primaryLsn: 100n, replayedLsn: 100n, replayedAt: t0 - 3_600_000 }, history, t0)).toBe(
      0,
    );
    expect(
      lagSeconds(
        { at: t0 + 1000, primaryLsn: 200n, replayedLsn: 100n, replayedAt: t0 - 3_600_000 },
        history,
        t0 + 1000,
      ),
    ).toBe(1);
    expect(
      lagSeconds(
        { at: t0 + 5000, primaryLsn: 300n, replayedLsn: 100n, replayedAt: t0 - 3_600_000 },
        history,
        t0 + 5000,
      ),
    ).toBe(5);
    // It replays up to 200 (reached by the sample at t0 + 1000), with a commit at t0 + 4000: the later one counts.
    expect(
      lagSeconds({ at: t0 + 6000, primaryLsn: 300n, replayedLsn: 200n, replayedAt: t0 + 4000 }, history, t0 + 6000),
    ).toBe(2);
    expect(
      lagSeconds({ at: t0 + 7000, primaryLsn: 300n, replayedLsn: 300n, replayedAt: t0 + 5000 }, history, t0 + 7000),
    ).toBe(0);
    expect(history).toHaveLength(1);
  });

  it('is unknown (Infinity) when the replica is behind and has replayed no commit nor reached any sample', () => {
    expect(lagSeconds({ at: 1000, primaryLsn: 200n, replayedLsn: 100n, replayedAt: undefined }, [], 1000)).toBe(
      Infinity,
    );
  });
});
