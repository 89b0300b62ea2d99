// `ledger dlq list|replay`: events that failed permanently, and putting them back once the cause is fixed.
import type { Command } from 'commander';
import { createProducer } from '../../../jobs/producer.ts';
import { replayDeadLetters } from '../../../shared/use-cases/redeliver-inbox-events.ts';
import { createRedis } from '../../../shared/redis.ts';
import { idArg } from '../args.ts';
import { cliActor, output, UserError, withDb } from '../context.ts';
import { listDeadLetters } from '../../../shared/use-cases/operations.ts';

export function register(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('dead-lettered visit events: list them, replay them after fixing the cause');

  dlq
    .command('list')
    .description('list dead letters not yet replayed (newest first)')
    .option('--all', 'include replayed ones')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      await withDb(async ({ db }) => {
        const rows = await listDeadLetters(db, { includeReplayed: opts.all });
        output(opts.json, rows, () =>
          rows.length === 0
            ? 'no dead letters'
            : rows
                .map(
                  (r) =>
                    `${r.id}\tinbox ${r.inboxId}\t${r.eventId}\t${r.universityCode}/${r.visitRef}\t${r.createdAt.toISOString()}${r.replayedAt ? '\treplayed' : ''}\t${r.reason}`,
                )
                .join('\n'),
        );
      });
    });

  dlq
    .command('replay')
    .description(
      'put dead-lettered events back in the inbox and queue them again (all not yet replayed, or one with --id)',
    )
    .option('--id <id>', 'dead letter id (see `ledger dlq list`)', idArg('dead letter', 'ledger dlq list'))
    .option('--json', 'print JSON')
    .action(async (opts: { id?: number; json?: boolean }) => {
      const ids = opts.id !== undefined ? [opts.id] : undefined;
      await withDb(async ({ db, config }) => {
        const letters = await listDeadLetters(db, { ids });
        if (ids && letters.length === 0)
          throw new UserError(`no dead letter ${ids[0]} waiting for replay: see \`ledger dlq list --all\``);
        const redis = createRedis(config.REDIS_URL, 'cli');
        const producer = createProducer({ connection: redis, prefix: config.QUEUE_PREFIX });
        let replayed;
        try {
          replayed = await replayDeadLetters(
            db,
            producer,
            letters.map((l) => l.id),
            cliActor(),
          );
        } finally {
          await producer.close().catch(() => {});
          redis.disconnect();
        }
        const { inboxIds, enqueued } = replayed;
        const result = { replayed: inboxIds.length, inboxIds, enqueued };
        output(
          opts.json,
          result,
          () =>
            `replayed ${inboxIds.length} event(s)` +
            (enqueued ? '' : ' (queue unreachable: the sweeper will pick them up within INBOX_REDELIVERY_SECONDS)'),
        );
      });
    });
}
