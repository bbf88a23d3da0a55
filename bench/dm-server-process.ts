/**
 * The test DM server alone in a process, for benchmarks that hold more devices than one process
 * has file descriptors for both ends: prints `PORT <n>` and serves until its stdin closes.
 */
import { startDmServer } from '../sim/server/start-dm-server.js';

const server = await startDmServer({ authorize: () => true, keepTranscripts: false, sessionHistory: 1 });
process.stdout.write(`PORT ${server.port}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
