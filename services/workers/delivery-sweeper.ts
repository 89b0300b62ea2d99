// The delivery sweeper of the worker processes: every interval, recoverDeliveries finds notice deliveries that the
// queue lost (pending without a live job) or whose worker died mid-send ('sending' past DELIVERY_LEASE_SECONDS), and
// queues them again or ends them failed at the attempt cap. The scheduler's catch-up runs the same recovery.
import type { Producer } from '../../jobs/producer.ts';
import type { Db } from '../../shared/db/database.ts';
import type { Logger } from '../../shared/log.ts';
import { recoverDeliveries, type DeliveryRecovery } from '../../shared/use-cases/deliver-notices.ts';
import { startLoop } from './sweeper.ts';

export interface DeliverySweeperOptions {
  db: Db;
  producer: Producer;
  log: Logger;
  leaseSeconds: number;
  intervalMs: number;
}

export interface DeliverySweeper {
  sweepOnce(): Promise<DeliveryRecovery>;
  stop(): Promise<void>;
}

export function startDeliverySweeper(options: DeliverySweeperOptions): DeliverySweeper {
  const { db, producer, log } = options;
  async function sweepOnce(): Promise<DeliveryRecovery> {
    const r = await recoverDeliveries(db, producer, { leaseSeconds: options.leaseSeconds });
    if (r.recorded.length || r.queued.length || r.failed.length) log.info(r, 'deliveries recovered');
    return r;
  }
  const loop = startLoop(options.intervalMs, sweepOnce, log, 'delivery sweep');
  return { sweepOnce, stop: () => loop.stop() };
}
