/**
 * Post-authentication actions (laps-behaviour.md section 7): a logon with the managed account
 * sets a deadline (logon + PostAuthenticationResetDelay hours; later logons keep it); at the
 * deadline the password is reset and the configured actions run; failures are retried at each
 * cycle up to 100 times, then given up (event 10048).
 */
import type { DeviceActivity, LapsState, PostAuthState } from '../ports.js';

export const HOUR_MS = 3_600_000;
/** Per-boot maximum of post-authentication reset retries (Microsoft support). */
export const POST_AUTH_MAX_RETRIES = 100;

/** Action bits of PostAuthenticationActions (1, 3, 5, 11 are the legal values). */
export const PostAuthAction = {
  ResetPassword: 0x1,
  SignOut: 0x2,
  Reboot: 0x4,
  TerminateProcesses: 0x8,
} as const;

export interface AuthenticationInput {
  readonly now: number;
  readonly rid: number;
  readonly sid: string;
  /** The managed account's RID, when LAPS manages one. */
  readonly managedRid: number | undefined;
  readonly delayHours: number;
  readonly actions: number;
}

/**
 * The new post-auth state after a successful logon, or undefined when nothing changes
 * (not the managed account, delay 0, or a valid deadline already pending).
 */
export function afterAuthentication(state: LapsState, a: AuthenticationInput): PostAuthState | undefined {
  if (a.managedRid === undefined || a.rid !== a.managedRid || a.delayHours <= 0) return undefined;
  const pending = state.postAuth;
  if (pending && pending.rid === a.rid && pending.deadline > a.now) return undefined;
  return { authTime: a.now, deadline: a.now + a.delayHours * HOUR_MS, rid: a.rid, sid: a.sid, actions: a.actions, retries: 0 };
}

export function postAuthDue(state: LapsState, now: number): boolean {
  return state.postAuth !== undefined && now >= state.postAuth.deadline;
}

/** True when the password was already rotated after the logon (the reset itself is skipped). */
export function rotatedSinceAuthentication(state: LapsState): boolean {
  const p = state.postAuth;
  return p !== undefined && state.lastPasswordUpdateTime !== undefined && state.lastPasswordUpdateTime > p.authTime;
}

/** What the device does to the account's sessions after the reset, per the actions value. */
export function activitiesFor(actions: number, accountName: string, now: number): DeviceActivity[] {
  const out: DeviceActivity[] = [];
  if (actions & PostAuthAction.SignOut) {
    out.push({ time: now, kind: 'sign-out', detail: `interactive sessions of ${accountName} signed out after a 2-minute warning` });
    out.push({ time: now, kind: 'smb-sessions-closed', detail: `SMB sessions of ${accountName} deleted` });
  }
  if (actions & PostAuthAction.TerminateProcesses) {
    out.push({ time: now, kind: 'terminate-processes', detail: `remaining processes running as ${accountName} terminated` });
  }
  if (actions & PostAuthAction.Reboot) {
    out.push({ time: now, kind: 'reboot', detail: 'device rebooted after a 1-minute delay' });
  }
  return out;
}
