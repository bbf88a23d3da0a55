import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { LapsError } from '../../../core/errors.js';
import { Secret } from '../../../core/secret.js';
import { MemoryEventLog } from '../../../agent/memory-ports.js';
import { MemoryAccountDatabase } from '../../../agent/accounts/memory-account-database.js';
import { seedBuiltinAccounts } from '../../../agent/accounts/builtin.js';
import { BLOCKED_EVENT, ProtectedAccountDatabase } from '../../../agent/accounts/protection.js';
import { LAPS_ACCOUNT_DESCRIPTION } from '../../../agent/accounts/targeting.js';

const T0 = Date.UTC(2026, 2, 5, 12, 0, 0);
const LAPS_PASSWORD = new Secret('Lap$-Set-Password-1');

function setup(managedRid: number | undefined = undefined) {
  const clock = new ManualClock(T0);
  const accounts = new MemoryAccountDatabase();
  seedBuiltinAccounts(accounts);
  const auto = accounts.create({ name: 'WLapsAdmin', enabled: false, admin: true, description: LAPS_ACCOUNT_DESCRIPTION, lapsManaged: true });
  const user = accounts.create({ name: 'Helpdesk', enabled: true, admin: true });
  accounts.setPassword(500, LAPS_PASSWORD, T0 - 1000);
  accounts.setPassword(auto.rid, LAPS_PASSWORD, T0 - 1000);
  const events = new MemoryEventLog();
  const guarded = new ProtectedAccountDatabase({ accounts, events, clock, managedRid: () => managedRid });
  return { clock, accounts, events, guarded, auto, user };
}

function refusal(fn: () => unknown): LapsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LapsError) return e;
    throw e;
  }
  throw new Error('the operation was not refused');
}

describe('tamper protection of the password (every mode)', () => {
  it('refuses a password change on the manual-mode managed account with 8654 and event 10031', () => {
    const { accounts, events, guarded } = setup(500);
    const before = accounts.byRid(500);
    const e = refusal(() => guarded.setPassword(500, new Secret('attacker-choice')));
    expect(e.code).toBe('LAPS_ERR_POLICY_CONTROLLED_ACCOUNT');
    expect(e.message).toContain('8654');
    expect(e.message).toContain('0x21CE');
    expect(e.message).toContain('"Administrator" (RID 0x1F4)');
    expect(events.events).toHaveLength(1);
    expect(events.events[0]).toMatchObject({ id: 10031, level: 'Warning', time: T0, fields: { accountName: 'Administrator', rid: 500 } });
    expect(events.events[0]!.message).toContain('password');
    expect(accounts.byRid(500)).toEqual(before);
    expect(accounts.verifyPassword(500, LAPS_PASSWORD)).toBe(true);
    expect(accounts.verifyPassword(500, new Secret('attacker-choice'))).toBe(false);
  });

  it('allows every other change to the manual-mode managed account', () => {
    const { accounts, events, guarded } = setup(500);
    expect(guarded.update(500, { name: 'Admin2', enabled: true, description: 'mine' })).toMatchObject({ name: 'Admin2', enabled: true, description: 'mine' });
    expect(guarded.removeFromAdministrators(500).admin).toBe(false);
    guarded.changeSecurityDescriptor(500);
    guarded.delete(500);
    expect(accounts.byRid(500)).toBeUndefined();
    expect(events.events).toEqual([]);
  });

  it('protects the password of an automatically managed account whatever the managed RID says', () => {
    const { events, guarded, auto } = setup(undefined);
    expect(refusal(() => guarded.setPassword(auto.rid, new Secret('x'), T0)).code).toBe('LAPS_ERR_POLICY_CONTROLLED_ACCOUNT');
    expect(events.events.map((e) => e.id)).toEqual([10031]);
  });

  it('changes the password of an account LAPS does not manage', () => {
    const { accounts, events, guarded, user } = setup(500);
    guarded.setPassword(user.rid, new Secret('helpdesk-pw'));
    expect(accounts.verifyPassword(user.rid, new Secret('helpdesk-pw'))).toBe(true);
    expect(accounts.byRid(user.rid)?.passwordSetAt).toBe(T0);
    expect(events.events).toEqual([]);
  });
});

describe('tamper protection in automatic mode', () => {
  const cases: { what: string; op: (g: ProtectedAccountDatabase, rid: number) => unknown; event: number }[] = [
    { what: 'rename', op: (g, rid) => g.update(rid, { name: 'Renamed' }), event: 10101 },
    { what: 'enable (net user /active:yes)', op: (g, rid) => g.update(rid, { enabled: true }), event: 10101 },
    { what: 'description', op: (g, rid) => g.update(rid, { description: 'mine now' }), event: 10101 },
    { what: 'security descriptor', op: (g, rid) => g.changeSecurityDescriptor(rid), event: 10102 },
    { what: 'delete', op: (g, rid) => g.delete(rid), event: 10103 },
    { what: 'removal from Administrators', op: (g, rid) => g.removeFromAdministrators(rid), event: 10104 },
    { what: 'removal from Administrators within a modify', op: (g, rid) => g.update(rid, { admin: false, enabled: true }), event: 10104 },
    { what: 'password', op: (g, rid) => g.setPassword(rid, new Secret('p'), T0), event: 10031 },
  ];

  for (const c of cases) {
    it(`refuses ${c.what} with 8654 and event ${c.event}, changing nothing`, () => {
      const { clock, accounts, events, guarded, auto } = setup(1000);
      clock.advance(60_000);
      const before = accounts.list();
      const e = refusal(() => c.op(guarded, auto.rid));
      expect(e.code).toBe('LAPS_ERR_POLICY_CONTROLLED_ACCOUNT');
      expect(e.message).toMatch(/error 8654 \/ 0x21CE/);
      expect(events.events).toHaveLength(1);
      expect(events.events[0]).toMatchObject({ id: c.event, level: 'Warning', time: T0 + 60_000, fields: { accountName: 'WLapsAdmin', rid: 1000 } });
      expect(accounts.list()).toEqual(before);
      expect(accounts.verifyPassword(auto.rid, LAPS_PASSWORD)).toBe(true);
    });
  }

  it('maps each operation to its documented event', () => {
    expect(BLOCKED_EVENT).toEqual({ password: 10031, modify: 10101, 'security-descriptor': 10102, delete: 10103, 'remove-from-administrators': 10104 });
  });

  it('lets through a request that changes nothing (empty, or already in Administrators)', () => {
    const { events, guarded, auto } = setup(1000);
    expect(guarded.update(auto.rid, {})).toMatchObject({ name: 'WLapsAdmin' });
    expect(guarded.update(auto.rid, { admin: true })).toMatchObject({ admin: true });
    expect(events.events).toEqual([]);
  });

  it('changes other accounts normally, even while an account is automatically managed', () => {
    const { accounts, events, guarded, user } = setup(1000);
    expect(guarded.update(user.rid, { name: 'Desk', enabled: false })).toMatchObject({ name: 'Desk', enabled: false });
    guarded.changeSecurityDescriptor(user.rid);
    guarded.removeFromAdministrators(user.rid);
    guarded.delete(user.rid);
    expect(accounts.byRid(user.rid)).toBeUndefined();
    expect(guarded.create({ name: 'NewUser', enabled: true, admin: false }).rid).toBe(1002);
    expect(events.events).toEqual([]);
  });

  it('LAPS itself bypasses protection by writing to the database directly', () => {
    const { accounts, events, guarded, auto } = setup(1000);
    accounts.update(auto.rid, { name: 'WLapsAdmin12345678', enabled: true });
    accounts.setPassword(auto.rid, new Secret('next-rotation'), T0);
    expect(guarded.byRid(auto.rid)).toMatchObject({ name: 'WLapsAdmin12345678', enabled: true });
    expect(guarded.verifyPassword(auto.rid, new Secret('next-rotation'))).toBe(true);
    expect(events.events).toEqual([]);
  });

  it('keeps the lapsManaged flag to LAPS, and reports unknown accounts', () => {
    const { guarded, user } = setup(1000);
    expect(refusal(() => guarded.update(user.rid, { lapsManaged: true })).code).toBe('LAPS_ERR_INVALID_ARGUMENT');
    expect(refusal(() => guarded.create({ name: 'Sneaky', enabled: true, admin: true, lapsManaged: true })).code).toBe('LAPS_ERR_INVALID_ARGUMENT');
    expect(refusal(() => guarded.delete(4242)).code).toBe('LAPS_ERR_UNKNOWN_ACCOUNT');
    expect(refusal(() => guarded.setPassword(4242, new Secret('x'))).code).toBe('LAPS_ERR_UNKNOWN_ACCOUNT');
    expect(refusal(() => guarded.changeSecurityDescriptor(4242)).code).toBe('LAPS_ERR_UNKNOWN_ACCOUNT');
  });
});
