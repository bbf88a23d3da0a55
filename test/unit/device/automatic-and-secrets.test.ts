import { describe, expect, it } from 'vitest';
import { EscrowError } from '../../../core/errors.js';
import { Secret } from '../../../core/secret.js';
import { ProtectedAccountDatabase } from '../../../agent/accounts/protection.js';
import { deviceHarness, DAY, ENTRA_POLICY, HOUR } from '../../helpers/device-harness.js';

const AAM = { ...ENTRA_POLICY, AutomaticAccountManagementEnabled: 'true' };

describe('automatic account management through the cycle', () => {
  it('target 1 creates a disabled WLapsAdmin in Administrators and manages it', async () => {
    const h = deviceHarness({ csp: AAM });
    expect(await h.device.processCycle('manual-processing')).toMatchObject({ rotated: true, hresult: 0 });
    const acct = h.accounts.byName('WLapsAdmin');
    expect(acct).toMatchObject({ enabled: false, admin: true, lapsManaged: true });
    const [cred] = await h.directory.credentials(h.device.identity.deviceId);
    expect(cred?.accountName).toBe('WLapsAdmin');
    expect(h.accounts.verifyPassword(acct!.rid, cred!.password)).toBe(true);
  });

  it('a randomized name is re-drawn at each rotation and escrowed under its new name', async () => {
    const h = deviceHarness({ csp: { ...AAM, AutomaticAccountManagementRandomizeName: 'true', AutomaticAccountManagementNameOrPrefix: 'ContosoLapsAdministrator', PasswordAgeDays: '7' } });
    await h.device.processCycle();
    const names = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const [cred] = await h.directory.credentials(h.device.identity.deviceId);
      expect(cred?.accountName).toMatch(/^ContosoLapsA\d{8}$/);
      expect(h.accounts.byName(cred!.accountName)).toBeDefined();
      names.add(cred!.accountName);
      h.clock.advance(7 * DAY);
      expect(await h.device.processCycle()).toMatchObject({ rotated: true });
    }
    expect(names.size).toBe(3);
    expect(h.accounts.list().filter((a) => a.lapsManaged)).toHaveLength(1);
  });

  it('target 0 renames the built-in RID 500 account and enables it when told to', async () => {
    const h = deviceHarness({ csp: { ...AAM, AutomaticAccountManagementTarget: '0', AutomaticAccountManagementEnableAccount: 'true', AutomaticAccountManagementNameOrPrefix: 'LocalLaps' } });
    await h.device.processCycle();
    expect(h.accounts.byRid(500)).toMatchObject({ name: 'LocalLaps', enabled: true, admin: true });
  });

  it('an automatically managed account refuses outside changes with 8654 and events 10101-10104', async () => {
    const h = deviceHarness({ csp: AAM });
    await h.device.processCycle();
    const rid = h.accounts.byName('WLapsAdmin')!.rid;
    const outside = new ProtectedAccountDatabase({ accounts: h.accounts, events: h.events, clock: h.clock, managedRid: () => h.state.load().lastAccountRid });
    h.newEventIds();
    expect(() => outside.update(rid, { enabled: true })).toThrow(/8654/);
    expect(() => outside.removeFromAdministrators(rid)).toThrow(/8654/);
    expect(() => outside.delete(rid)).toThrow(/8654/);
    expect(() => outside.setPassword(rid, new Secret('Hunter2!'))).toThrow(/8654/);
    expect(h.newEventIds()).toEqual([10101, 10104, 10103, 10031]);
    expect(h.accounts.byRid(rid)).toMatchObject({ enabled: false, admin: true });
  });
});

describe('secrets', () => {
  it('no password reaches the logger or the event log, whatever happens', async () => {
    const h = deviceHarness({ csp: { ...ENTRA_POLICY, PostAuthenticationResetDelay: '1' } });
    h.accounts.update(500, { enabled: true });
    const seen: string[] = [];
    const collect = async (): Promise<void> => {
      for (const c of await h.directory.credentials(h.device.identity.deviceId)) seen.push(c.password.reveal());
    };
    await h.device.processCycle();
    await collect();
    expect(h.device.logon('Administrator', new Secret(seen[0]!)).ok).toBe(true);
    h.clock.advance(2 * HOUR);
    await h.device.processCycle();
    await collect();
    h.directory.failure = new EscrowError('LAPS_ERR_ESCROW_REJECTED', 'tenant off', { retryable: false, httpStatus: 400, body: '{"code":"invalid_request"}' });
    await h.device.resetPassword();
    h.directory.failure = undefined;
    h.faults.arm({ point: 'after-escrow', mode: 'fail' });
    await h.device.resetPassword();
    await collect();
    h.faults.arm({ point: 'before-commit', mode: 'fail' });
    await h.device.resetPassword();
    await collect();
    h.clock.advance(HOUR);
    await h.device.processCycle();
    await collect();
    const text = `${h.logger.text()}\n${JSON.stringify(h.events.events)}\n${JSON.stringify(h.activity.entries)}`;
    expect(new Set(seen).size).toBeGreaterThanOrEqual(4);
    expect(h.logger.records.length).toBeGreaterThan(0);
    for (const p of seen) expect(text.includes(p), 'a password leaked').toBe(false);
  });
});
