// A worker process for tests and the bench: `tsx test/helpers/worker-child.ts '<overrides JSON>'`, configured by the
// environment (DATABASE_URL, REDIS_URL, QUEUE_PREFIX, ...). Prints "ready" when started; SIGTERM closes it gracefully.
import { loadConfig } from '../../shared/config.ts';
import { startWorkers, type WorkerOverrides } from '../../services/workers/index.ts';

const overrides = JSON.parse(process.argv[2] ?? '{}') as Omit<WorkerOverrides, 'modules' | 'db'>;
const workers = await startWorkers(loadConfig(), overrides);
process.stdout.write('ready\n');
const stop = () => {
  void workers.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
