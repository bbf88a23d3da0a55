/**
 * A running agent and CLI commands in other processes share one database file: what the others
 * commit must reach the agent's caches (LAPS state, accounts, policy, idle plan).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { cryptoRng } from '../../core/rng.js';
import { initSqliteDevice, openSqliteDevice } from '../../sim/sqlite-device.js';
import { tempDir } from '../helpers/cli.js';

const T0 = Date.UTC(2026, 2, 1, 9);
const HOUR = 3_600_000;

describe('another connection writing beside a running device', () => {
  it('sees a logon (post-auth deadline), a new account and a policy change made elsewhere', async () => {
    const path = join(tempDir(), 'shared.db');
    const clock = new ManualClock(T0);
    const rec = await initSqliteDevice(path, { name: 'PC-SHARED' }, clock, cryptoRng());
    const agent = openSqliteDevice({ path, deviceId: rec.deviceId, clock, rng: cryptoRng() });
    const cli = (): ReturnType<typeof openSqliteDevice> => openSqliteDevice({ path, deviceId: rec.deviceId, clock, rng: cryptoRng() });
    try {
      let other = cli();
      other.ports.policyRoots(rec.deviceId).set('gpo', { BackupDirectory: '1', PostAuthenticationResetDelay: '1' });
      other.close();
      expect(await agent.device.processCycle('background')).toMatchObject({ rotated: true });
      clock.advance(HOUR);
      expect(await agent.device.processCycle('background')).toBeUndefined();

      other = cli();
      const pw = (await other.directory.credentials(rec.deviceId))[0]!.password;
      expect(other.device.logon('Administrator', pw).ok).toBe(true);
      other.accounts.create({ name: 'Helpdesk', enabled: true, admin: true });
      other.close();
      expect(agent.accounts.byName('Helpdesk')).toBeDefined();

      clock.advance(HOUR);
      const out = await agent.device.processCycle('background');
      expect(out).toMatchObject({ rotated: true, trigger: 'post-auth' });

      other = cli();
      other.ports.policyRoots(rec.deviceId).set('gpo', { AdministratorAccountName: 'Helpdesk' });
      other.close();
      clock.advance(HOUR);
      expect(await agent.device.processCycle('background')).toMatchObject({ rotated: true, reasons: 0x4 });
      expect((await agent.directory.credentials(rec.deviceId))[0]?.accountName).toBe('Helpdesk');
    } finally {
      agent.close();
    }
  });
});
