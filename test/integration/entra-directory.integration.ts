/** The directory port contract, run against the Entra emulator over real HTTP and HTTPS (port 0). */
import { afterAll } from 'vitest';
import { directoryContract } from '../contract/directory.contract.js';
import { startTestEmulator, type TestEmulator } from '../helpers/entra.js';

const started: TestEmulator[] = [];
afterAll(async () => {
  for (const e of started) await e.server.close();
});

async function backend(tls: boolean): Promise<ReturnType<TestEmulator['directory']>> {
  const emu = await startTestEmulator({ tls });
  started.push(emu);
  const devices = new Map<string, { deviceToken: string; readerToken: string }>();
  for (const id of ['d-1', 'd-a', 'd-b', 'never']) devices.set(id, await emu.register(`DESKTOP-${id.toUpperCase()}`, { deviceId: id }));
  return emu.directory(devices);
}

directoryContract('entra emulator over HTTP', () => backend(false), { history: 3, viewsExpiry: false });
directoryContract('entra emulator over HTTPS', () => backend(true), { history: 3, viewsExpiry: false });
