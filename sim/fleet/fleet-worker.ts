/**
 * The entry of a fleet worker thread: runs one shard with the options the main thread sent and
 * posts its progress and its report back (run-fleet.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SystemClock } from '../../core/clock.js';
import type { WorkerInput } from './run-fleet.js';
import { runShard } from './shard-run.js';

const port = parentPort!;
try {
  const report = await runShard({ ...(workerData as WorkerInput), wallClock: new SystemClock(), onProgress: (progress) => port.postMessage({ type: 'progress', progress }) });
  port.postMessage({ type: 'done', report });
} catch (e) {
  port.postMessage({ type: 'error', message: (e as Error).message });
}
