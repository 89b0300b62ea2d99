// The inbox's state, for probes, the operations page and the demo's progress: is the database there, how many events
// wait and for how long, and what became of them. Reads only, passed through from the repositories.
export { oldestAcceptedAgeSeconds, pingDatabase } from '../repositories/inbox.repository.ts';
export { countAcceptedInboxEvents } from '../repositories/inbox-backlog.repository.ts';
export {
  analyzeIngestionTables,
  countAcceptedInboxRows,
  countIngestionOutcomes,
  inboxRowUpdates,
} from '../repositories/inbox-processing.repository.ts';
