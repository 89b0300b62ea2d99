// Placeholder until the scheduler lands (issue 5): it starts, logs, and does nothing.
import type { Config } from '../../shared/config.ts';
import { moduleLogger } from '../../shared/log.ts';

export async function startScheduler(config: Config): Promise<{ close(): Promise<void> }> {
  const log = moduleLogger('scheduler');
  log.info({ timezone: config.SCHEDULE_TIMEZONE }, 'scheduler placeholder started (no schedules yet)');
  return { close: async () => {} };
}
