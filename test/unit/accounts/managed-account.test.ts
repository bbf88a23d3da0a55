import { describe, expect, it } from 'vitest';
import { noopLogger } from '../../../core/logger.js';
import { SeededRng } from '../../../core/seeded-rng.js';
import { MemoryAccountDatabase } from '../../../agent/accounts/memory-account-database.js';
import { BUILTIN_RIDS, builtinAccounts, seedBuiltinAccounts } from '../../../agent/accounts/builtin.js';
import { prepareManagedAccount, targetAccountRid } from '../../../agent/accounts/managed-account.js';
import { TARGETING_HRESULT, type AccountTargetingPolicy } from '../../../agent/accounts/targeting.js';
import type { DeviceContext } from '../../../agent/device-context.js';
import type { AutomaticAccountManagement } from '../../../agent/policy/types.js';

const AAM_OFF: AutomaticAccountManagement = { enabled: false, target: 1, nameOrPrefix: 'WLapsAdmin', enableAccount: false, randomizeName: false };

function auto(aam: Partial<AutomaticAccountManagement> = {}): AccountTargetingPolicy {
  return { administratorAccountName: undefined, automaticAccountManagement: { ...AAM_OFF, enabled: true, ...aam } };
}

/** The part of a device context the account logic uses. */
function context(suffixDigits?: number) {
  const accounts = new MemoryAccountDatabase();
  seedBuiltinAccounts(accounts);
  let transactions = 0;
  const ctx = {
    accounts, rng: new SeededRng(11), log: noopLogger, options: suffixDigits === undefined ? {} : { randomSuffixDigits: suffixDigits },
    transaction: <T>(fn: () => T): T => {
      transactions++;
      return fn();
    },
  };
  return { ctx: ctx as unknown as DeviceContext, accounts, transactions: () => transactions };
}

describe('built-in accounts', () => {
  it('seeds Administrator, Guest, DefaultAccount and WDAGUtilityAccount as Windows client has them', () => {
    const db = new MemoryAccountDatabase();
    const seeded = seedBuiltinAccounts(db);
    expect(seeded.map((a) => [a.rid, a.name, a.enabled, a.admin])).toEqual([
      [500, 'Administrator', false, true],
      [501, 'Guest', false, false],
      [503, 'DefaultAccount', false, false],
      [504, 'WDAGUtilityAccount', false, false],
    ]);
    expect(seeded.every((a) => a.passwordSetAt === undefined && !a.lapsManaged && a.description.length > 0)).toBe(true);
    expect(db.create({ name: 'First', enabled: true, admin: false }).rid).toBe(1000);
    expect(() => seedBuiltinAccounts(db)).toThrow(expect.objectContaining({ code: 'LAPS_ERR_ACCOUNT_EXISTS' }));
  });

  it('takes a renamed or localized Administrator, enabled on request', () => {
    const [admin, guest] = builtinAccounts({ administratorName: 'Administrateur', administratorEnabled: true, guestName: 'Invité' });
    expect(admin).toMatchObject({ rid: BUILTIN_RIDS.administrator, name: 'Administrateur', enabled: true, admin: true });
    expect(guest).toMatchObject({ rid: BUILTIN_RIDS.guest, name: 'Invité', enabled: false });
    expect(() => seedBuiltinAccounts(new MemoryAccountDatabase(), { administratorName: 'bad/name' })).toThrow(expect.objectContaining({ code: 'LAPS_ERR_INVALID_ARGUMENT' }));
  });
});

describe('prepareManagedAccount (what the cycle calls)', () => {
  it('reports a missing named account for event 10013 and changes nothing', () => {
    const { ctx, accounts, transactions } = context();
    const before = accounts.list();
    const prep = prepareManagedAccount(ctx, { administratorAccountName: 'Missing', automaticAccountManagement: AAM_OFF });
    expect(prep).toMatchObject({ ok: false, eventId: 10013, fields: { accountName: 'Missing' }, hresult: TARGETING_HRESULT.USER_NOT_FOUND });
    expect(accounts.list()).toEqual(before);
    expect(transactions()).toBe(0);
  });

  it('needs no transaction when nothing changes', () => {
    const { ctx, transactions } = context();
    const prep = prepareManagedAccount(ctx, { administratorAccountName: undefined, automaticAccountManagement: AAM_OFF });
    expect(prep).toMatchObject({ ok: true, account: { rid: 500 }, expectedName: 'Administrator', created: false, mode: 'manual' });
    expect(prep.ok && prep.renameTo).toBeUndefined();
    expect(transactions()).toBe(0);
  });

  it('creates the automatic account in one transaction, then offers a fresh random name at each later cycle', () => {
    const { ctx, accounts, transactions } = context();
    const first = prepareManagedAccount(ctx, auto({ randomizeName: true }));
    if (!first.ok) throw new Error(first.detail);
    expect(first.created).toBe(true);
    expect(first.renameTo).toBeUndefined();
    expect(first.account.name).toMatch(/^WLapsAdmin\d{8}$/);
    expect(first.expectedName).toBe(first.account.name);
    expect(transactions()).toBe(1);
    expect(accounts.byRid(first.account.rid)?.lapsManaged).toBe(true);

    const second = prepareManagedAccount(ctx, auto({ randomizeName: true }));
    if (!second.ok) throw new Error(second.detail);
    expect(second).toMatchObject({ created: false, account: { rid: first.account.rid, name: first.account.name }, expectedName: first.account.name });
    expect(second.renameTo).toMatch(/^WLapsAdmin\d{8}$/);
    expect(second.renameTo).not.toBe(first.account.name);
    expect(accounts.byRid(first.account.rid)?.name).toBe(first.account.name);
    expect(transactions()).toBe(1);
  });

  it('expects the new name when the prefix changed, so that the cycle rotates and renames', () => {
    const { ctx } = context(6);
    const first = prepareManagedAccount(ctx, auto({ randomizeName: true }));
    if (!first.ok) throw new Error(first.detail);
    expect(first.account.name).toMatch(/^WLapsAdmin\d{6}$/);
    const next = prepareManagedAccount(ctx, auto({ randomizeName: true, nameOrPrefix: 'Break-Glass' }));
    if (!next.ok) throw new Error(next.detail);
    expect(next.renameTo).toMatch(/^Break-Glass\d{6}$/);
    expect(next.expectedName).toBe(next.renameTo);
    expect(next.account.name).toBe(first.account.name);
  });

  it('targetAccountRid answers without changing anything or drawing from the device Rng', () => {
    const { ctx, accounts } = context();
    const rng = ctx.rng as SeededRng;
    const probe = new SeededRng(11);
    expect(targetAccountRid(ctx, auto({ target: 0 }))).toBe(500);
    expect(targetAccountRid(ctx, auto({ randomizeName: true }))).toBeUndefined();
    expect(accounts.byRid(500)?.name).toBe('Administrator');
    expect(rng.int(1_000_000)).toBe(probe.int(1_000_000));
  });
});
