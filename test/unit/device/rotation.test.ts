import { describe, expect, it } from 'vitest';
import { Secret } from '../../../core/secret.js';
import { EscrowError } from '../../../core/errors.js';
import { FAULT_POINTS, type FaultMode } from '../../../agent/rotation/faults.js';
import { deviceHarness, DAY, ENTRA_POLICY, HOUR, MARCH_1, type Harness } from '../../helpers/device-harness.js';

/** True when some password the directory holds opens the managed account. */
async function directoryOpensAccount(h: Harness, rid = 500): Promise<boolean> {
  const creds = await h.directory.credentials(h.device.identity.deviceId);
  return creds.some((c) => h.accounts.verifyPassword(rid, c.password));
}

async function currentOpensAccount(h: Harness, rid = 500): Promise<boolean> {
  const [newest] = await h.directory.credentials(h.device.identity.deviceId);
  return newest !== undefined && h.accounts.verifyPassword(rid, newest.password);
}

describe('processing cycle', () => {
  it('first cycle under an Entra policy escrows, then sets RID 500, with the documented event sequence', async () => {
    const h = deviceHarness({ csp: ENTRA_POLICY });
    const out = await h.device.processCycle('manual-processing');
    expect(out).toMatchObject({ rotated: true, hresult: 0, reasons: 0x10 });
    expect(h.newEventIds()).toEqual([10003, 10022, 10010, 10015, 10029, 10020, 10004]);
    expect(await currentOpensAccount(h)).toBe(true);
    const [cred] = await h.directory.credentials(h.device.identity.deviceId);
    expect(cred?.accountName).toBe('Administrator');
    expect(cred?.accountSid).toBe('S-1-5-21-1004336348-1177238915-682003330-500');
    expect(h.state.load().passwordExpiry).toBe(MARCH_1 + 10 * DAY);
  });

  it('a cycle with nothing to do says so (10016) and changes nothing', async () => {
    const h = deviceHarness({ csp: ENTRA_POLICY });
    await h.device.processCycle('manual-processing');
    const before = await h.directory.credentials(h.device.identity.deviceId);
    h.newEventIds();
    h.clock.advance(HOUR);
    const out = await h.device.processCycle('manual-processing');
    expect(out).toMatchObject({ rotated: false, hresult: 0, reasons: 0 });
    expect(h.newEventIds()).toEqual([10003, 10022, 10010, 10016, 10004]);
    expect(await h.directory.credentials(h.device.identity.deviceId)).toEqual(before);
  });

  it('policy on March 1 with PasswordAgeDays 10 rotates March 11; a manual rotation on March 5 moves it to March 15', async () => {
    const h = deviceHarness({ csp: ENTRA_POLICY });
    await h.device.processCycle();
    expect(new Date(h.state.load().passwordExpiry!).toISOString()).toBe('2026-03-11T09:00:00.000Z');
    h.clock.advanceTo(Date.UTC(2026, 2, 5, 9));
    await h.device.resetPassword();
    expect(new Date(h.state.load().passwordExpiry!).toISOString()).toBe('2026-03-15T09:00:00.000Z');
    h.clock.advanceTo(Date.UTC(2026, 2, 15, 8));
    expect((await h.device.processCycle())?.rotated ?? false).toBe(false);
    h.clock.advanceTo(Date.UTC(2026, 2, 15, 9));
    const out = await h.device.processCycle();
    expect(out).toMatchObject({ rotated: true, reasons: 0x1 });
  });

  it('a named account that does not exist: 10013, nothing backed up or changed', async () => {
    const h = deviceHarness({ csp: { ...ENTRA_POLICY, AdministratorAccountName: 'ContosoLocalLapsAdmin' } });
    const out = await h.device.processCycle('manual-processing');
    expect(out).toMatchObject({ rotated: false, eventId: 10013 });
    expect(h.newEventIds()).toContain(10013);
    expect(await h.directory.credentials(h.device.identity.deviceId)).toEqual([]);
    expect(h.accounts.byRid(500)?.passwordSetAt).toBeUndefined();
  });

  it('a named account is managed when it exists (trailing space is another name)', async () => {
    const h = deviceHarness({ csp: { ...ENTRA_POLICY, AdministratorAccountName: 'LapsAdmin ' } });
    const acct = h.accounts.create({ name: 'LapsAdmin', enabled: true, admin: true });
    expect((await h.device.processCycle('manual-processing'))?.eventId).toBe(10013);
    h.csp['AdministratorAccountName'] = 'lapsadmin';
    h.device.policyChanged();
    expect(await h.device.processCycle('manual-processing')).toMatchObject({ rotated: true });
    expect(await currentOpensAccount(h, acct.rid)).toBe(true);
  });

  it('a failed escrow leaves the local password untouched and is retried next cycle', async () => {
    const h = deviceHarness({ csp: ENTRA_POLICY });
    await h.device.processCycle();
    const old = (await h.directory.credentials(h.device.identity.deviceId))[0]!.password;
    h.clock.advance(11 * DAY);
    h.directory.failure = new EscrowError('LAPS_ERR_ESCROW_REJECTED', 'Local admin password solution is not enabled for this tenant.', { retryable: false, httpStatus: 400, body: '{"code":"invalid_request"}' });
    h.newEventIds();
    const failed = await h.device.processCycle();
    expect(failed).toMatchObject({ rotated: false, eventId: 10028, hresult: 0x80070190 });
    expect(h.newEventIds()).toEqual([10003, 10022, 10010, 10052, 10015, 10059, 10028, 10005]);
    expect(h.accounts.verifyPassword(500, old)).toBe(true);
    h.directory.failure = undefined;
    h.clock.advance(HOUR);
    expect(await h.device.processCycle()).toMatchObject({ rotated: true, hresult: 0 });
    expect(await currentOpensAccount(h)).toBe(true);
  });

  it('a backup directory that does not match the join state manages nothing and says why', async () => {
    const h = deviceHarness({ csp: ENTRA_POLICY, identity: { joinType: 'ad' } });
    expect(await h.device.processCycle('manual-processing')).toMatchObject({ rotated: false, hresult: 0 });
    expect(h.device.policy()).toMatchObject({ managed: false, notManagedCode: 'join-mismatch' });
    expect(h.newEventIds()).toEqual([10003, 10022, 10004]);
    expect(await h.directory.credentials(h.device.identity.deviceId)).toEqual([]);
  });

  it('the none directory never changes the local password', async () => {
    const h = deviceHarness({ csp: ENTRA_POLICY });
    h.directory.failure = h.directory.unavailable('no directory');
    await h.device.processCycle();
    expect(h.accounts.byRid(500)?.passwordSetAt).toBeUndefined();
  });

  it('PasswordAgeDays 3 with Entra becomes 7 with event 10058', async () => {
    const h = deviceHarness({ csp: { ...ENTRA_POLICY, PasswordAgeDays: '3' } });
    await h.device.processCycle();
    expect(h.newEventIds()).toContain(10058);
    expect(h.state.load().passwordExpiry).toBe(MARCH_1 + 7 * DAY);
  });

  it('a policy authority change rotates at once; a length change does not', async () => {
    const h = deviceHarness();
    h.roots.set('gpo', ENTRA_POLICY);
    await h.device.processCycle();
    h.clock.advance(HOUR);
    h.roots.set('gpo', { PasswordLength: '20' });
    h.device.policyChanged();
    expect(await h.device.processCycle()).toMatchObject({ rotated: false });
    Object.assign(h.csp, ENTRA_POLICY);
    h.device.policyChanged();
    expect(await h.device.processCycle()).toMatchObject({ rotated: true, reasons: 0x2 });
  });

  it('a changed managed account rotates at once', async () => {
    const h = deviceHarness({ csp: ENTRA_POLICY });
    await h.device.processCycle();
    const other = h.accounts.create({ name: 'Helpdesk', enabled: true, admin: true });
    h.csp['AdministratorAccountName'] = 'Helpdesk';
    h.device.policyChanged();
    h.clock.advance(HOUR);
    expect(await h.device.processCycle()).toMatchObject({ rotated: true, reasons: 0x4 });
    expect(await currentOpensAccount(h, other.rid)).toBe(true);
  });

  it('an idle background cycle touches nothing and logs nothing', async () => {
    const h = deviceHarness({ csp: ENTRA_POLICY });
    await h.device.processCycle();
    h.newEventIds();
    h.clock.advance(HOUR);
    expect(await h.device.processCycle('background')).toBeUndefined();
    expect(h.newEventIds()).toEqual([]);
  });
});

describe('reset requests (Actions/ResetPassword)', () => {
  it('rotates at once and reports 0; a failure reports its HRESULT', async () => {
    const h = deviceHarness({ csp: ENTRA_POLICY });
    await h.device.processCycle();
    h.resets.request();
    h.device.resetRequested();
    expect(h.resets.status()).toBe(-2147483638);
    h.clock.advance(HOUR);
    expect(await h.device.processCycle()).toMatchObject({ rotated: true, trigger: 'admin' });
    expect(h.resets.status()).toBe(0);
    h.directory.failure = h.directory.unavailable();
    await h.device.resetPassword();
    expect(h.resets.status()).toBe(0x80070035 | 0);
  });
});

describe('crash safety: every fault point, both modes', () => {
  for (const point of FAULT_POINTS) {
    for (const mode of ['fail', 'crash'] as FaultMode[]) {
      it(`${mode} at ${point}: after a restart the directory holds a password that opens the account`, async () => {
        const h = deviceHarness({ csp: ENTRA_POLICY });
        await h.device.processCycle();
        h.clock.advance(11 * DAY);
        h.faults.arm({ point, mode });
        let crashed = false;
        try {
          await h.device.processCycle();
        } catch (e) {
          crashed = (e as Error).name === 'CrashSignal';
          if (!crashed) throw e;
        }
        expect(crashed).toBe(mode === 'crash');
        expect(await directoryOpensAccount(h)).toBe(true);
        h.restart();
        h.clock.advance(HOUR);
        await h.device.processCycle();
        expect(h.journal.current()).toBeUndefined();
        expect(await directoryOpensAccount(h)).toBe(true);
        expect(await currentOpensAccount(h)).toBe(true);
      });
    }
  }
});

describe('post-authentication actions', () => {
  it('a logon sets the deadline, later logons keep it, the deadline resets and signs out', async () => {
    const h = deviceHarness({ csp: { ...ENTRA_POLICY, PostAuthenticationResetDelay: '8', PostAuthenticationActions: '3' } });
    h.accounts.update(500, { enabled: true });
    await h.device.processCycle();
    const pw = (await h.directory.credentials(h.device.identity.deviceId))[0]!.password;
    h.clock.advance(HOUR);
    const first = h.device.logon('administrator', pw);
    expect(first).toMatchObject({ ok: true, postAuthDeadline: MARCH_1 + 9 * HOUR });
    h.clock.advance(HOUR);
    expect(h.device.logon('Administrator', pw).postAuthDeadline).toBeUndefined();
    expect(h.device.logon('Administrator', new Secret('wrong'))).toMatchObject({ ok: false, win32Error: 1326 });
    h.accounts.update(500, { enabled: false });
    expect(h.device.logon('Administrator', pw)).toMatchObject({ ok: false, win32Error: 1331 });
    h.accounts.update(500, { enabled: true });
    h.clock.advanceTo(MARCH_1 + 9 * HOUR);
    h.newEventIds();
    const out = await h.device.processCycle();
    expect(out).toMatchObject({ rotated: true, trigger: 'post-auth' });
    expect(h.newEventIds()).toEqual([10042, 10003, 10022, 10010, 10051, 10029, 10020, 10044, 10004]);
    expect(h.accounts.verifyPassword(500, pw)).toBe(false);
    expect(h.activity.list().map((a) => a.kind)).toEqual(['sign-out', 'smb-sessions-closed']);
    expect(h.state.load().postAuth).toBeUndefined();
  });

  it('failures are retried each cycle and given up after 100 (10048)', async () => {
    const h = deviceHarness({ csp: { ...ENTRA_POLICY, PostAuthenticationResetDelay: '1', PostAuthenticationActions: '5' } });
    h.accounts.update(500, { enabled: true });
    await h.device.processCycle();
    const pw = (await h.directory.credentials(h.device.identity.deviceId))[0]!.password;
    h.device.logon('Administrator', pw);
    h.directory.failure = h.directory.unavailable();
    for (let i = 0; i < 100; i++) {
      h.clock.advance(HOUR);
      await h.device.processCycle();
    }
    const ids = h.events.events.map((e) => e.id);
    expect(ids.filter((id) => id === 10043).length).toBe(99);
    expect(ids).toContain(10048);
    expect(h.state.load().postAuth).toBeUndefined();
  });
});
