// Bridge to the processing-latency histogram (shared/metrics.ts), so the job file does not depend on prom-client.
import { processingLatency } from '../shared/metrics.ts';

export function observeProcessingLatency(seconds: number): void {
  processingLatency.observe(seconds);
}
