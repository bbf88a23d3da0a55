/**
 * Puts an account plan into effect and serves the processing cycle: each cycle plans the managed
 * account from the effective policy, applies the plan (LAPS's own changes go straight to the
 * AccountDatabase, bypassing tamper protection) and tells the cycle which account to rotate, the
 * name the account is expected to have, and, with a randomized name, the name to give it at this
 * rotation.
 */
import type { Rng } from '../../core/rng.js';
import type { AccountDatabase, LocalAccount } from '../ports.js';
import type { DeviceContext } from '../device-context.js';
import { nextRandomizedName, planManagedAccount, type AccountPlan, type AccountTargetingPolicy, type TargetingOptions } from './targeting.js';
import { ImplementationError } from '../../core/errors.js';

/**
 * Randomness for plans whose drawn names are thrown away (`targetAccountRid` only reads the
 * target's RID): it keeps a read from consuming the device's own generator.
 */
const NO_DRAW: Rng = { cryptographic: false, bytes: (n) => new Uint8Array(n), int: () => 0 };

/** A plan that found its account. */
export type ReadyPlan = Extract<AccountPlan, { ok: true }>;

/**
 * Carries out `plan`'s actions in order and returns the managed account as it now is. Run it inside
 * one store transaction so that a crash leaves all or nothing (re-planning converges either way).
 * @throws LapsError from the database (a name taken since the plan was made, an account gone)
 */
export function applyAccountPlan(db: AccountDatabase, plan: ReadyPlan): LocalAccount {
  let created: LocalAccount | undefined;
  for (const a of plan.actions) {
    if (a.kind === 'delete') db.delete(a.rid);
    else if (a.kind === 'update') db.update(a.rid, a.patch);
    else created = db.create(a.account);
  }
  if ('create' in plan.target) {
    if (!created) throw new ImplementationError('an account plan with a new target holds no create action');
    return created;
  }
  const account = db.byRid(plan.target.rid);
  if (!account) throw new ImplementationError(`the planned account RID ${plan.target.rid} is gone`);
  return account;
}

/** What the cycle needs to know about the managed account, or why there is none (event 10013). */
export type AccountPreparation =
  | {
      readonly ok: true;
      /** The managed account, configured as the policy says. */
      readonly account: LocalAccount;
      /** The name the account is expected to have; differs from LAPS state's last name when it must change. */
      readonly expectedName: string;
      /** Randomized name: the name to give the account if this cycle rotates (already free). */
      readonly renameTo?: string;
      /** This cycle created the account. */
      readonly created: boolean;
      readonly mode: 'manual' | 'automatic';
    }
  | {
      readonly ok: false;
      readonly eventId: 10013;
      readonly fields: { readonly accountName: string };
      /** For event 10005. */
      readonly hresult: number;
      readonly detail: string;
    };

function optionsOf(ctx: DeviceContext): TargetingOptions {
  return { suffixDigits: ctx.options.randomSuffixDigits };
}

/**
 * Plans and applies the managed account for this cycle. A failure changes nothing.
 * @param policy the effective policy (only the account settings are read)
 */
export function prepareManagedAccount(ctx: DeviceContext, policy: AccountTargetingPolicy): AccountPreparation {
  const opts = optionsOf(ctx);
  const before = ctx.accounts.list();
  const plan = planManagedAccount(policy, before, ctx.rng, opts);
  if (!plan.ok) {
    ctx.log.warn({ reason: plan.failure.reason, accountName: plan.failure.accountName }, plan.failure.detail);
    return { ok: false, eventId: 10013, fields: { accountName: plan.failure.accountName }, hresult: plan.failure.hresult, detail: plan.failure.detail };
  }
  let account: LocalAccount;
  let accounts = before;
  if (plan.actions.length === 0) {
    account = before.find((a) => 'rid' in plan.target && a.rid === plan.target.rid)!;
  } else {
    account = ctx.transaction(() => applyAccountPlan(ctx.accounts, plan));
    for (const a of plan.actions) {
      const rid = a.kind === 'create' ? account.rid : a.rid;
      ctx.log.info({ action: a.kind, rid, ...(a.kind === 'update' ? { patch: a.patch } : {}) }, 'LAPS changed a local account');
    }
    accounts = ctx.accounts.list();
  }
  const created = 'create' in plan.target;
  const renameTo = plan.randomized && !created ? nextRandomizedName(policy, accounts, account.rid, ctx.rng, opts) : undefined;
  const expectedName = plan.nameOutdated && renameTo !== undefined ? renameTo : account.name;
  return { ok: true, account, expectedName, ...(renameTo !== undefined ? { renameTo } : {}), created, mode: plan.mode };
}

/**
 * The RID LAPS would manage under `policy` now, without changing anything; undefined when there is
 * none yet (a named account missing, or an automatic account not created yet).
 */
export function targetAccountRid(ctx: Pick<DeviceContext, 'accounts' | 'options'>, policy: AccountTargetingPolicy): number | undefined {
  const plan = planManagedAccount(policy, ctx.accounts.list(), NO_DRAW, { suffixDigits: ctx.options.randomSuffixDigits });
  return plan.ok && 'rid' in plan.target ? plan.target.rid : undefined;
}
