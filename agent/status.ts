/**
 * What `lapsim status` reports about a device: the managed account, last and next rotation, the
 * directory, the policy in force and the last outcome. Never the password.
 */
import type { Device } from './device.js';
import type { LocalAccount } from './ports.js';
import { targetAccountRid } from './accounts/managed-account.js';

export interface DeviceStatus {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly joinType: string;
  readonly osBuild: string;
  readonly account: { readonly name: string; readonly sid: string; readonly rid: number; readonly enabled: boolean } | null;
  readonly lastRotation: string | null;
  readonly nextRotation: string | null;
  readonly backupDirectory: 'disabled' | 'entra' | 'ad';
  readonly directory: string;
  readonly policySource: string;
  readonly managed: boolean;
  readonly notManagedReason: string | null;
  readonly lastResult: {
    readonly time: string;
    readonly success: boolean;
    readonly hresult: string;
    readonly eventId: number;
    readonly rotated: boolean;
  } | null;
  readonly postAuthenticationDeadline: string | null;
  readonly resetPasswordStatus: number;
  readonly rotationInFlight: boolean;
}

const iso = (ms: number | undefined): string | null => (ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

export async function deviceStatus(device: Device): Promise<DeviceStatus> {
  const ctx = device.ctx;
  const policy = device.policy();
  const state = ctx.state.load();
  const rid = state.lastAccountRid ?? targetAccountRid(ctx, policy);
  const acct: LocalAccount | undefined = rid === undefined ? undefined : ctx.accounts.byRid(rid);
  let next = state.passwordExpiry;
  if (policy.managed && policy.backupDirectory === 2) {
    try {
      next = (await ctx.directory.view(ctx.identity.deviceId)).expiry ?? next;
    } catch {
      // Unreachable directory: report the expiry the device last knew.
    }
  }
  const r = state.lastResult;
  return {
    deviceId: ctx.identity.deviceId,
    deviceName: ctx.identity.name,
    joinType: ctx.identity.joinType,
    osBuild: ctx.identity.osBuild,
    account: acct ? { name: acct.name, sid: ctx.sidOf(acct.rid), rid: acct.rid, enabled: acct.enabled } : null,
    lastRotation: iso(state.lastPasswordUpdateTime),
    nextRotation: policy.managed ? iso(next) : null,
    backupDirectory: policy.backupDirectory === 1 ? 'entra' : policy.backupDirectory === 2 ? 'ad' : 'disabled',
    directory: ctx.directory.kind,
    policySource: policy.source,
    managed: policy.managed,
    notManagedReason: policy.notManagedReason ?? null,
    lastResult: r
      ? { time: new Date(r.time).toISOString(), success: r.hresult === 0, hresult: `0x${(r.hresult >>> 0).toString(16).toUpperCase().padStart(8, '0')}`, eventId: r.eventId, rotated: r.rotated }
      : null,
    postAuthenticationDeadline: iso(state.postAuth?.deadline),
    resetPasswordStatus: ctx.resets.status(),
    rotationInFlight: ctx.journal.current() !== undefined,
  };
}
