/**
 * Which local account LAPS manages under an effective policy, and what must change for it to be
 * configured as the policy says (laps-behaviour.md 4.1, 4.2). Pure: the plan is computed from a
 * snapshot of the account list; `applyAccountPlan` (managed-account.ts) carries it out with LAPS's
 * own rights, bypassing tamper protection. Plans are idempotent: re-planning after a partial
 * apply converges, so a crash in the middle needs no journal.
 *
 * Manual mode: AdministratorAccountName empty = RID 500 whatever its name; otherwise the account
 * of that name (Windows' case-insensitive compare, nothing trimmed) or failure (event 10013), never
 * created and never a fallback to RID 500.
 *
 * Automatic mode (AdministratorAccountName ignored): target 0 = RID 500 renamed to NameOrPrefix;
 * target 1 = an account LAPS creates. Either is made a member of Administrators, given the LAPS
 * description, enabled or disabled per EnableAccount, and marked lapsManaged. With RandomizeName
 * the name is the first (20 - digits) characters of the prefix and a random numeric suffix
 * (default 8 digits, ADMX text), re-drawn at each rotation only (`nextRandomizedName`).
 *
 * Accounts LAPS no longer targets (decisions in docs/decisions.md): an account LAPS created
 * (lapsManaged, RID other than 500) is deleted; RID 500 is released (lapsManaged cleared, name and
 * state kept, unless its name is the one the new target needs: then it gets its built-in name back).
 */
import type { Rng } from '../../core/rng.js';
import type { AccountPatch, LocalAccount, NewAccount } from '../ports.js';
import type { EffectivePolicy } from '../policy/types.js';
import { accountNameProblem, foldAccountName, MAX_ACCOUNT_NAME_LENGTH, sameAccountName } from './account-name.js';

/** RID of the built-in Administrator account. */
export const BUILTIN_ADMINISTRATOR_RID = 500;
/** NameOrPrefix when none is configured (laps-behaviour.md 1.3). */
export const DEFAULT_NAME_OR_PREFIX = 'WLapsAdmin';
/** Random suffix digits: 8 per the ADMX help text Windows ships (Learn says 6); see architecture.md. */
export const DEFAULT_SUFFIX_DIGITS = 8;
/** Description LAPS gives an automatically managed account (Windows' exact text is not published). */
export const LAPS_ACCOUNT_DESCRIPTION = 'Local administrator account managed by Windows LAPS';

/** HRESULTs a targeting failure reports in event 10005 (HRESULT_FROM_WIN32 of the NERR code). */
export const TARGETING_HRESULT = {
  /** NERR_UserNotFound (2221): the configured account does not exist. */
  USER_NOT_FOUND: 0x800708ad,
  /** NERR_UserExists (2224): the name automatic management needs belongs to another account. */
  USER_EXISTS: 0x800708b0,
  /** NERR_BadUsername (2202): the configured name is not a valid account name. */
  BAD_USERNAME: 0x8007089a,
} as const;

/** The slice of the effective policy that decides the account. */
export type AccountTargetingPolicy = Pick<EffectivePolicy, 'administratorAccountName' | 'automaticAccountManagement'>;

export interface TargetingOptions {
  /** Random suffix digits with RandomizeName, 1 to 9; the prefix keeps 20 - digits characters. Default 8. */
  readonly suffixDigits?: number | undefined;
  /** The built-in Administrator's own name, given back when RID 500 must free a name. Default `Administrator`. */
  readonly builtinAdminName?: string | undefined;
}

/** One change to the account database, made by LAPS itself. */
export type AccountAction =
  | { readonly kind: 'create'; readonly account: NewAccount }
  | { readonly kind: 'update'; readonly rid: number; readonly patch: AccountPatch }
  | { readonly kind: 'delete'; readonly rid: number; readonly name: string };

export interface TargetingFailure {
  readonly reason: 'not-found' | 'name-conflict' | 'invalid-name';
  /** The name LAPS looked for or wanted (event 10013's account name). */
  readonly accountName: string;
  /** For event 10005. */
  readonly hresult: number;
  /** One sentence for logs and people. */
  readonly detail: string;
}

export type AccountPlan =
  | {
      readonly ok: true;
      readonly mode: 'manual' | 'automatic';
      /** The managed account: an existing RID, or the account `actions` creates. */
      readonly target: { readonly rid: number } | { readonly create: string };
      /** In order: deletions, then releases, then the target's own changes. Empty = nothing to do. */
      readonly actions: readonly AccountAction[];
      /** Automatic mode with RandomizeName. */
      readonly randomized: boolean;
      /** Randomized name that no longer fits the prefix: the next rotation must rename it. */
      readonly nameOutdated: boolean;
    }
  | { readonly ok: false; readonly failure: TargetingFailure };

/** Plans the managed account for `policy` over the device's current `accounts`. */
export function planManagedAccount(policy: AccountTargetingPolicy, accounts: readonly LocalAccount[], rng: Rng, opts: TargetingOptions = {}): AccountPlan {
  return policy.automaticAccountManagement.enabled ? planAutomatic(policy, accounts, rng, opts) : planManual(policy, accounts);
}

function planManual(policy: AccountTargetingPolicy, accounts: readonly LocalAccount[]): AccountPlan {
  const name = policy.administratorAccountName;
  const byRid = name === undefined || name === '';
  const target = byRid ? accounts.find((a) => a.rid === BUILTIN_ADMINISTRATOR_RID) : accounts.find((a) => sameAccountName(a.name, name));
  if (!target) {
    return fail('not-found', name ?? '', TARGETING_HRESULT.USER_NOT_FOUND,
      byRid ? 'the built-in Administrator account (RID 500) does not exist' : `no local account is named "${name}"`);
  }
  const actions: AccountAction[] = [];
  for (const a of accounts) {
    if (!a.lapsManaged) continue;
    if (a.rid === target.rid || a.rid === BUILTIN_ADMINISTRATOR_RID) actions.push({ kind: 'update', rid: a.rid, patch: { lapsManaged: false } });
    else actions.push({ kind: 'delete', rid: a.rid, name: a.name });
  }
  return { ok: true, mode: 'manual', target: { rid: target.rid }, actions: order(actions), randomized: false, nameOutdated: false };
}

/** How automatic management names the account. */
interface Naming {
  readonly randomized: boolean;
  /** The exact name (not randomized) or the prefix (randomized). */
  readonly base: string;
  readonly digits: number;
}

function namingOf(policy: AccountTargetingPolicy, opts: TargetingOptions): Naming {
  const aam = policy.automaticAccountManagement;
  const configured = aam.nameOrPrefix === '' ? DEFAULT_NAME_OR_PREFIX : aam.nameOrPrefix;
  const digits = opts.suffixDigits ?? DEFAULT_SUFFIX_DIGITS;
  if (!Number.isInteger(digits) || digits < 1 || digits > 9) throw new RangeError(`suffixDigits must be 1 to 9, got ${digits}`);
  if (!aam.randomizeName) return { randomized: false, base: configured, digits };
  return { randomized: true, base: configured.slice(0, MAX_ACCOUNT_NAME_LENGTH - digits), digits };
}

/** True when `name` is what the naming asks for (randomized: the prefix, any case, and exactly `digits` digits). */
function fits(n: Naming, name: string): boolean {
  if (!n.randomized) return name === n.base;
  if (name.length !== n.base.length + n.digits) return false;
  if (foldAccountName(name.slice(0, n.base.length)) !== foldAccountName(n.base)) return false;
  for (let i = n.base.length; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function planAutomatic(policy: AccountTargetingPolicy, accounts: readonly LocalAccount[], rng: Rng, opts: TargetingOptions): AccountPlan {
  const aam = policy.automaticAccountManagement;
  const n = namingOf(policy, opts);
  const problem = accountNameProblem(n.randomized ? n.base + '0'.repeat(n.digits) : n.base);
  if (problem !== undefined) return fail('invalid-name', n.base, TARGETING_HRESULT.BAD_USERNAME, problem);

  const builtin = accounts.find((a) => a.rid === BUILTIN_ADMINISTRATOR_RID);
  const created = accounts.filter((a) => a.lapsManaged && a.rid !== BUILTIN_ADMINISTRATOR_RID);
  const actions: AccountAction[] = [];
  const gone = new Set<number>();
  const remove = (a: LocalAccount): void => {
    actions.push({ kind: 'delete', rid: a.rid, name: a.name });
    gone.add(a.rid);
  };
  let target: LocalAccount | undefined;
  const renamed = new Map<number, string>();

  if (aam.target === 0) {
    if (!builtin) {
      return fail('not-found', n.base, TARGETING_HRESULT.USER_NOT_FOUND, 'the built-in Administrator account (RID 500) does not exist');
    }
    target = builtin;
    for (const a of created) remove(a);
  } else {
    target = created.find((a) => fits(n, a.name)) ?? created[0];
    for (const a of created) if (a !== target) remove(a);
    if (builtin?.lapsManaged) {
      const patch: { lapsManaged: boolean; name?: string } = { lapsManaged: false };
      if (!n.randomized && sameAccountName(builtin.name, n.base)) {
        const own = opts.builtinAdminName ?? 'Administrator';
        if (holder(accounts, own, gone, BUILTIN_ADMINISTRATOR_RID)) {
          return fail('name-conflict', n.base, TARGETING_HRESULT.USER_EXISTS,
            `the built-in Administrator holds "${builtin.name}" and its own name "${own}" is taken`);
        }
        patch.name = own;
        renamed.set(BUILTIN_ADMINISTRATOR_RID, own);
      }
      actions.push({ kind: 'update', rid: BUILTIN_ADMINISTRATOR_RID, patch });
    }
  }

  let name: string;
  let nameOutdated = false;
  if (!n.randomized) {
    name = n.base;
    const other = holder(accounts, n.base, gone, target?.rid, renamed);
    if (other) {
      return fail('name-conflict', n.base, TARGETING_HRESULT.USER_EXISTS, `the account "${other.name}" (RID ${other.rid}) already holds the name LAPS manages`);
    }
  } else if (target) {
    name = target.name;
    nameOutdated = !fits(n, name);
  } else {
    const drawn = drawName(n, accounts, gone, undefined, renamed, rng);
    if (drawn === undefined) return fail('name-conflict', n.base, TARGETING_HRESULT.USER_EXISTS, `no free name with the prefix "${n.base}"`);
    name = drawn;
  }

  const desired = { name, admin: true, enabled: aam.enableAccount, description: LAPS_ACCOUNT_DESCRIPTION, lapsManaged: true };
  if (!target) {
    actions.push({ kind: 'create', account: desired });
    return { ok: true, mode: 'automatic', target: { create: name }, actions: order(actions), randomized: n.randomized, nameOutdated: false };
  }
  const patch = diff(target, desired);
  if (patch) actions.push({ kind: 'update', rid: target.rid, patch });
  return { ok: true, mode: 'automatic', target: { rid: target.rid }, actions: order(actions), randomized: n.randomized, nameOutdated };
}

/**
 * The name to give the managed account at this rotation: with automatic management and
 * RandomizeName, the prefix and a fresh random suffix that no other account holds; otherwise
 * undefined (the name does not change at rotation).
 */
export function nextRandomizedName(
  policy: AccountTargetingPolicy, accounts: readonly LocalAccount[], managedRid: number, rng: Rng, opts: TargetingOptions = {},
): string | undefined {
  if (!policy.automaticAccountManagement.enabled || !policy.automaticAccountManagement.randomizeName) return undefined;
  return drawName(namingOf(policy, opts), accounts, new Set(), managedRid, new Map(), rng);
}

/** A random name for the naming, free among `accounts` (less `gone`, less `self`), or undefined after 100 draws. */
function drawName(
  n: Naming, accounts: readonly LocalAccount[], gone: ReadonlySet<number>, self: number | undefined, renamed: ReadonlyMap<number, string>, rng: Rng,
): string | undefined {
  const range = 10 ** n.digits;
  for (let i = 0; i < 100; i++) {
    const name = n.base + String(rng.int(range)).padStart(n.digits, '0');
    if (!holder(accounts, name, gone, self, renamed)) return name;
  }
  return undefined;
}

/** The account (other than `self`, not deleted) whose name, after planned renames, is `name`. */
function holder(
  accounts: readonly LocalAccount[], name: string, gone: ReadonlySet<number>, self: number | undefined, renamed: ReadonlyMap<number, string> = new Map(),
): LocalAccount | undefined {
  return accounts.find((a) => a.rid !== self && !gone.has(a.rid) && sameAccountName(renamed.get(a.rid) ?? a.name, name));
}

/** The fields of `want` that differ from `cur`, or undefined when none do. */
function diff(cur: LocalAccount, want: Required<AccountPatch>): AccountPatch | undefined {
  const patch: { -readonly [K in keyof AccountPatch]: AccountPatch[K] } = {};
  if (cur.name !== want.name) patch.name = want.name;
  if (cur.enabled !== want.enabled) patch.enabled = want.enabled;
  if (cur.admin !== want.admin) patch.admin = want.admin;
  if (cur.description !== want.description) patch.description = want.description;
  if (cur.lapsManaged !== want.lapsManaged) patch.lapsManaged = want.lapsManaged;
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/** Deletions first (they free names), then updates, then the creation. */
function order(actions: AccountAction[]): AccountAction[] {
  const rank = { delete: 0, update: 1, create: 2 } as const;
  return actions.map((a, i) => ({ a, i })).sort((x, y) => rank[x.a.kind] - rank[y.a.kind] || x.i - y.i).map((x) => x.a);
}

function fail(reason: TargetingFailure['reason'], accountName: string, hresult: number, detail: string): AccountPlan {
  return { ok: false, failure: { reason, accountName, hresult, detail } };
}
