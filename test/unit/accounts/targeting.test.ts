import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../core/seeded-rng.js';
import type { Rng } from '../../../core/rng.js';
import { MemoryAccountDatabase } from '../../../agent/accounts/memory-account-database.js';
import { seedBuiltinAccounts } from '../../../agent/accounts/builtin.js';
import { applyAccountPlan, type ReadyPlan } from '../../../agent/accounts/managed-account.js';
import {
  LAPS_ACCOUNT_DESCRIPTION, nextRandomizedName, planManagedAccount, TARGETING_HRESULT, type AccountPlan, type AccountTargetingPolicy, type TargetingOptions,
} from '../../../agent/accounts/targeting.js';
import type { AutomaticAccountManagement } from '../../../agent/policy/types.js';

const AAM_OFF: AutomaticAccountManagement = { enabled: false, target: 1, nameOrPrefix: 'WLapsAdmin', enableAccount: false, randomizeName: false };

function manual(name?: string): AccountTargetingPolicy {
  return { administratorAccountName: name, automaticAccountManagement: AAM_OFF };
}

function auto(aam: Partial<AutomaticAccountManagement> = {}): AccountTargetingPolicy {
  return { administratorAccountName: undefined, automaticAccountManagement: { ...AAM_OFF, enabled: true, ...aam } };
}

function device(adminName?: string): MemoryAccountDatabase {
  const db = new MemoryAccountDatabase();
  seedBuiltinAccounts(db, adminName === undefined ? {} : { administratorName: adminName });
  return db;
}

function plan(db: MemoryAccountDatabase, p: AccountTargetingPolicy, opts: TargetingOptions = {}, rng: Rng = new SeededRng(7)): AccountPlan {
  return planManagedAccount(p, db.list(), rng, opts);
}

function ready(p: AccountPlan): ReadyPlan {
  if (!p.ok) throw new Error(`plan failed: ${p.failure.detail}`);
  return p;
}

/** Plans and applies; returns the managed account. */
function converge(db: MemoryAccountDatabase, p: AccountTargetingPolicy, opts: TargetingOptions = {}, rng: Rng = new SeededRng(7)) {
  return applyAccountPlan(db, ready(plan(db, p, opts, rng)));
}

/** An Rng that returns the given ints in turn (names with chosen suffixes). */
function scripted(...ints: number[]): Rng {
  let i = 0;
  return { cryptographic: false, bytes: (n) => new Uint8Array(n), int: () => ints[i++ % ints.length]! };
}

describe('manual mode', () => {
  it('manages RID 500 whatever it is called when AdministratorAccountName is empty', () => {
    const db = device('Administrateur');
    for (const name of [undefined, '']) {
      const p = ready(plan(db, manual(name)));
      expect(p).toMatchObject({ mode: 'manual', target: { rid: 500 }, actions: [] });
      expect(applyAccountPlan(db, p).name).toBe('Administrateur');
    }
  });

  it('manages the named account, found case-insensitively, and changes nothing about it', () => {
    const db = device();
    const it1 = db.create({ name: 'ITAdmin', enabled: true, admin: true });
    const p = ready(plan(db, manual('itadmin')));
    expect(p.target).toEqual({ rid: it1.rid });
    expect(p.actions).toEqual([]);
    expect(ready(plan(db, manual('Administrator'))).target).toEqual({ rid: 500 });
  });

  it('fails with not-found for a missing name, never falling back to RID 500', () => {
    const db = device();
    const p = plan(db, manual('ContosoAdmin'));
    expect(p).toEqual({
      ok: false,
      failure: { reason: 'not-found', accountName: 'ContosoAdmin', hresult: TARGETING_HRESULT.USER_NOT_FOUND, detail: 'no local account is named "ContosoAdmin"' },
    });
  });

  it('does not trim: a stray space names a different account', () => {
    const db = device();
    db.create({ name: 'ITAdmin', enabled: true, admin: true });
    for (const name of ['ITAdmin ', ' ITAdmin']) {
      const p = plan(db, manual(name));
      expect(p.ok ? 'found' : p.failure).toMatchObject({ reason: 'not-found', accountName: name });
    }
  });

  it('deletes the account automatic management created and releases RID 500', () => {
    const db = device();
    converge(db, auto({ target: 1 }));
    db.update(500, { lapsManaged: true });
    const p = ready(plan(db, manual()));
    expect(p.actions).toEqual([
      { kind: 'delete', rid: 1000, name: 'WLapsAdmin' },
      { kind: 'update', rid: 500, patch: { lapsManaged: false } },
    ]);
    applyAccountPlan(db, p);
    expect(db.byRid(1000)).toBeUndefined();
    expect(db.byRid(500)?.lapsManaged).toBe(false);
    expect(ready(plan(db, manual())).actions).toEqual([]);
  });

  it('keeps a LAPS-created account that the manual policy now names, releasing it', () => {
    const db = device();
    converge(db, auto({ target: 1 }));
    const p = ready(plan(db, manual('wlapsadmin')));
    expect(p.target).toEqual({ rid: 1000 });
    expect(p.actions).toEqual([{ kind: 'update', rid: 1000, patch: { lapsManaged: false } }]);
  });

  it('a failed plan carries no action even when LAPS-owned accounts exist', () => {
    const db = device();
    converge(db, auto({ target: 1 }));
    expect(plan(db, manual('Missing')).ok).toBe(false);
  });
});

describe('automatic management, target 0 (built-in Administrator)', () => {
  it('renames RID 500 to NameOrPrefix, keeps it disabled, in Administrators, described and LAPS-managed', () => {
    const db = device('Administrateur');
    db.update(500, { admin: false });
    const p = ready(plan(db, auto({ target: 0 })));
    expect(p).toMatchObject({ mode: 'automatic', target: { rid: 500 }, randomized: false, nameOutdated: false });
    expect(p.actions).toEqual([
      { kind: 'update', rid: 500, patch: { name: 'WLapsAdmin', admin: true, description: LAPS_ACCOUNT_DESCRIPTION, lapsManaged: true } },
    ]);
    const a = applyAccountPlan(db, p);
    expect(a).toMatchObject({ rid: 500, name: 'WLapsAdmin', enabled: false, admin: true, description: LAPS_ACCOUNT_DESCRIPTION, lapsManaged: true });
    expect(ready(plan(db, auto({ target: 0 }))).actions).toEqual([]);
  });

  it('enables or disables the account per EnableAccount', () => {
    const db = device();
    expect(converge(db, auto({ target: 0, enableAccount: true })).enabled).toBe(true);
    expect(ready(plan(db, auto({ target: 0, enableAccount: false }))).actions).toEqual([{ kind: 'update', rid: 500, patch: { enabled: false } }]);
  });

  it('uses WLapsAdmin when NameOrPrefix is empty, and a configured name otherwise', () => {
    expect(converge(device(), auto({ target: 0, nameOrPrefix: '' })).name).toBe('WLapsAdmin');
    expect(converge(device(), auto({ target: 0, nameOrPrefix: 'CorpAdmin' })).name).toBe('CorpAdmin');
  });

  it('refuses to take a name another account holds', () => {
    const db = device();
    db.create({ name: 'wlapsadmin', enabled: true, admin: false });
    const p = plan(db, auto({ target: 0 }));
    expect(p.ok ? 'ok' : p.failure).toMatchObject({ reason: 'name-conflict', accountName: 'WLapsAdmin', hresult: TARGETING_HRESULT.USER_EXISTS });
  });

  it('switching from target 1 deletes the created account first, freeing its name', () => {
    const db = device();
    converge(db, auto({ target: 1 }));
    const p = ready(plan(db, auto({ target: 0 })));
    expect(p.actions[0]).toEqual({ kind: 'delete', rid: 1000, name: 'WLapsAdmin' });
    const a = applyAccountPlan(db, p);
    expect(a).toMatchObject({ rid: 500, name: 'WLapsAdmin', lapsManaged: true });
    expect(db.list().map((x) => x.rid)).toEqual([500, 501, 503, 504]);
  });

  it('refuses a NameOrPrefix Windows would not accept', () => {
    const p = plan(device(), auto({ target: 0, nameOrPrefix: 'bad/name' }));
    expect(p.ok ? 'ok' : p.failure).toMatchObject({ reason: 'invalid-name', hresult: TARGETING_HRESULT.BAD_USERNAME });
    const long = plan(device(), auto({ target: 0, nameOrPrefix: 'x'.repeat(21) }));
    expect(long.ok ? 'ok' : long.failure.reason).toBe('invalid-name');
  });
});

describe('automatic management, target 1 (a new account)', () => {
  it('creates the account: admin, disabled by default, described, LAPS-managed, RID from 1000', () => {
    const db = device();
    const p = ready(plan(db, auto()));
    expect(p.target).toEqual({ create: 'WLapsAdmin' });
    expect(p.actions).toEqual([
      { kind: 'create', account: { name: 'WLapsAdmin', admin: true, enabled: false, description: LAPS_ACCOUNT_DESCRIPTION, lapsManaged: true } },
    ]);
    const a = applyAccountPlan(db, p);
    expect(a).toEqual({ rid: 1000, name: 'WLapsAdmin', enabled: false, admin: true, description: LAPS_ACCOUNT_DESCRIPTION, lapsManaged: true, passwordSetAt: undefined });
    expect(ready(plan(db, auto()))).toMatchObject({ target: { rid: 1000 }, actions: [] });
  });

  it('enforces enablement, name and Administrators membership on the account it created', () => {
    const db = device();
    converge(db, auto());
    db.update(1000, { admin: false, description: 'tampered' });
    const p = ready(plan(db, auto({ enableAccount: true, nameOrPrefix: 'FieldAdmin' })));
    expect(p.actions).toEqual([{ kind: 'update', rid: 1000, patch: { name: 'FieldAdmin', enabled: true, admin: true, description: LAPS_ACCOUNT_DESCRIPTION } }]);
    expect(applyAccountPlan(db, p)).toMatchObject({ rid: 1000, name: 'FieldAdmin', enabled: true, admin: true });
  });

  it('does not take over an account it did not create', () => {
    const db = device();
    db.create({ name: 'WLapsAdmin', enabled: true, admin: true });
    const p = plan(db, auto());
    expect(p.ok ? 'ok' : p.failure).toMatchObject({ reason: 'name-conflict', accountName: 'WLapsAdmin' });
  });

  it('switching from target 0 releases RID 500 and gives it its own name back when the name is needed', () => {
    const db = device('Administrateur');
    converge(db, auto({ target: 0 }));
    const p = ready(plan(db, auto({ target: 1 }), { builtinAdminName: 'Administrateur' }));
    expect(p.actions).toEqual([
      { kind: 'update', rid: 500, patch: { lapsManaged: false, name: 'Administrateur' } },
      { kind: 'create', account: { name: 'WLapsAdmin', admin: true, enabled: false, description: LAPS_ACCOUNT_DESCRIPTION, lapsManaged: true } },
    ]);
    const a = applyAccountPlan(db, p);
    expect(a).toMatchObject({ rid: 1000, name: 'WLapsAdmin' });
    expect(db.byRid(500)).toMatchObject({ name: 'Administrateur', lapsManaged: false });
  });

  it('switching from target 0 with another name leaves RID 500 its name', () => {
    const db = device();
    converge(db, auto({ target: 0, nameOrPrefix: 'BuiltinLaps' }));
    const p = ready(plan(db, auto({ target: 1 })));
    expect(p.actions[0]).toEqual({ kind: 'update', rid: 500, patch: { lapsManaged: false } });
  });

  it('keeps one created account and deletes any other LAPS-created one', () => {
    const db = device();
    db.create({ name: 'Stray', enabled: false, admin: true, lapsManaged: true });
    db.create({ name: 'WLapsAdmin', enabled: false, admin: true, lapsManaged: true, description: LAPS_ACCOUNT_DESCRIPTION });
    const p = ready(plan(db, auto()));
    expect(p.target).toEqual({ rid: 1001 });
    expect(p.actions).toEqual([{ kind: 'delete', rid: 1000, name: 'Stray' }]);
  });
});

describe('automatic management, randomized names', () => {
  it('creates the prefix and an 8-digit suffix, zero-padded', () => {
    const db = device();
    const p = ready(plan(db, auto({ randomizeName: true }), {}, scripted(42)));
    expect(p.target).toEqual({ create: 'WLapsAdmin00000042' });
    expect(p.randomized).toBe(true);
    expect(converge(device(), auto({ randomizeName: true })).name).toMatch(/^WLapsAdmin\d{8}$/);
  });

  it('keeps the first 12 characters of a long prefix, so the name is 20 characters', () => {
    const a = converge(device(), auto({ randomizeName: true, nameOrPrefix: 'ContosoLocalAdminAccount' }));
    expect(a.name).toMatch(/^ContosoLocal\d{8}$/);
    expect(a.name).toHaveLength(20);
  });

  it('takes the suffix length as an option (the Learn text: 6 digits on 14 characters)', () => {
    const a = converge(device(), auto({ randomizeName: true, nameOrPrefix: 'ContosoLocalAdminAccount' }), { suffixDigits: 6 });
    expect(a.name).toMatch(/^ContosoLocalAd\d{6}$/);
    expect(() => plan(device(), auto({ randomizeName: true }), { suffixDigits: 0 })).toThrow(RangeError);
    expect(() => plan(device(), auto({ randomizeName: true }), { suffixDigits: 10 })).toThrow(RangeError);
  });

  it('re-draws the suffix for each rotation, never a name another account holds', () => {
    const db = device();
    const a = converge(db, auto({ randomizeName: true }));
    db.create({ name: 'WLapsAdmin00000001', enabled: true, admin: false });
    const rng = new SeededRng(99);
    const names = Array.from({ length: 50 }, () => nextRandomizedName(auto({ randomizeName: true }), db.list(), a.rid, rng)!);
    for (const n of names) expect(n).toMatch(/^WLapsAdmin\d{8}$/);
    expect(new Set(names).size).toBe(50);
    expect(nextRandomizedName(auto({ randomizeName: true }), db.list(), a.rid, scripted(1, 2))).toBe('WLapsAdmin00000002');
  });

  it('gives no new name when names are not randomized or automatic management is off', () => {
    const db = device();
    expect(nextRandomizedName(auto(), db.list(), 500, new SeededRng(1))).toBeUndefined();
    expect(nextRandomizedName({ ...manual(), automaticAccountManagement: { ...AAM_OFF, randomizeName: true } }, db.list(), 500, new SeededRng(1))).toBeUndefined();
  });

  it('never renames a randomized account outside a rotation; a stale prefix is reported instead', () => {
    const db = device();
    const a = converge(db, auto({ randomizeName: true }));
    expect(ready(plan(db, auto({ randomizeName: true })))).toMatchObject({ target: { rid: a.rid }, actions: [], nameOutdated: false });
    const p = ready(plan(db, auto({ randomizeName: true, nameOrPrefix: 'NewPrefix' })));
    expect(p).toMatchObject({ target: { rid: a.rid }, actions: [], nameOutdated: true });
    expect(nextRandomizedName(auto({ randomizeName: true, nameOrPrefix: 'NewPrefix' }), db.list(), a.rid, new SeededRng(3))).toMatch(/^NewPrefix\d{8}$/);
  });

  it('target 0 with a random name keeps Administrator until the first rotation renames it', () => {
    const db = device();
    const p = ready(plan(db, auto({ target: 0, randomizeName: true })));
    expect(p.nameOutdated).toBe(true);
    expect(p.actions).toEqual([{ kind: 'update', rid: 500, patch: { description: LAPS_ACCOUNT_DESCRIPTION, lapsManaged: true } }]);
    expect(applyAccountPlan(db, p).name).toBe('Administrator');
  });

  it('turning randomization off renames the account to the exact name at once', () => {
    const db = device();
    const a = converge(db, auto({ randomizeName: true }));
    expect(ready(plan(db, auto())).actions).toEqual([{ kind: 'update', rid: a.rid, patch: { name: 'WLapsAdmin' } }]);
  });
});
