// The console's build for the browser tests: once per run, when console/dist is missing or older than its sources.
export { ensureConsoleBuilt } from '../../../console/scripts/ensure-built.ts';
