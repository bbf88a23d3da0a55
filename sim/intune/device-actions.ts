/**
 * The "Rotate local admin password" device action and the "Local admin password" view
 * (laps-behaviour.md 11.3 and 11.5, intune-graph.md 7):
 * - a request is for one device; it fails at once when the device never backed up a password to
 *   Entra (Active Directory backups cannot be seen from Intune, so they are not checked) or when
 *   an Entra-joined device is offline; else it is pending, the device gets Exec
 *   Actions/ResetPassword, then in a later session Get Actions/ResetPasswordStatus, whose HRESULT
 *   settles it as done or failed (E_PENDING asks again in the next session);
 * - the view shows the account name, SID and, on request, the password of the newest Entra
 *   backup, with the last and next rotation; never an Active Directory password. Reading the
 *   password is audited in Intune and in Entra.
 */
import { E_PENDING } from '../../csp/csp-root.js';
import type { CmdId } from '../../core/ids.js';
import { SyncmlStatus } from '../../csp/syncml/status.js';
import { ACTIVITIES, type Actor } from './audit.js';
import { resetPasswordCommand, resetPasswordStatusCommand } from './csp-translate.js';
import type { CommandReply } from './delivery.js';
import { graphTimeOrNull } from './graph-time.js';
import type { DeviceRecord } from './policy-types.js';
import type { ServiceContext } from './service-context.js';
import type { ActionRecord, DeliveryKind, DeliveryRecord } from './state-store.js';

/** deviceActionResults[].actionName of the rotation (intune-graph.md 11.1: lapsim's guess). */
export const ROTATE_ACTION = 'rotateLocalAdminPassword';

/** Why a rotation request is refused outright (Graph 400). */
export class ActionRefused extends Error {}

/** BackupDirectory values as the view names them. */
export const BACKUP_DIRECTORY_NAMES: Readonly<Record<number, string>> = { 0: 'disabled', 1: 'azureActiveDirectory', 2: 'activeDirectory' };

/** The "Local admin password" view of one device. */
export interface PasswordView {
  readonly managedDeviceId: string;
  readonly deviceName: string;
  readonly azureADDeviceId: string;
  /** disabled, azureActiveDirectory, activeDirectory, or notConfigured. */
  readonly backupDirectory: string;
  readonly accountName: string | null;
  readonly accountSid: string | null;
  /** Present only when asked for, and only for an Entra backup. */
  readonly password?: string;
  readonly lastPasswordRotationDateTime: string | null;
  readonly nextPasswordRotationDateTime: string | null;
}

function hresultText(n: number): string {
  return `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/** The rotate action's lifecycle and the password view. */
export class ActionEngine {
  readonly #ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
  }

  /** The BackupDirectory the device applied, or undefined when it holds no LAPS policy. */
  backupDirectory(device: DeviceRecord): number | undefined {
    const v = this.#ctx.db.state.applied(device.managedDeviceId).get('BackupDirectory');
    return typeof v === 'number' ? v : undefined;
  }

  /**
   * Requests a rotation of the device's password. Resolves to the action, pending or already
   * failed. @throws ActionRefused when a rotation is already pending.
   */
  rotate(device: DeviceRecord, actor: Actor): ActionRecord {
    const ctx = this.#ctx;
    return ctx.write(() => {
      const open = ctx.db.state.actionsOf(device.managedDeviceId).find((a) => a.actionName === ROTATE_ACTION && a.state === 'pending');
      if (open) throw new ActionRefused('A rotation of the local admin password is already pending for this device.');
      const now = ctx.clock.now();
      const dir = this.backupDirectory(device);
      let failure: string | undefined;
      if (dir !== 2 && ctx.entra.backups(device.deviceId) === undefined) {
        failure = 'The device has never backed up its local admin password.';
      } else if (device.joinType === 'entra' && !ctx.delivery.isOnline(device.deviceId)) {
        failure = 'The device is offline: a Microsoft Entra joined device must be online when the rotation is requested.';
      }
      const action: ActionRecord = {
        actionId: ctx.guid(), managedDeviceId: device.managedDeviceId, actionName: ROTATE_ACTION, state: failure === undefined ? 'pending' : 'failed',
        startedAt: now, updatedAt: now, detail: failure ?? '',
      };
      ctx.db.state.putAction(action);
      if (failure === undefined) this.#queue(device, 'reset', action.actionId, false);
      ctx.audit(actor, { ...ACTIVITIES.rotate, result: failure === undefined ? 'Success' : 'Failure' }, [{
        displayName: device.deviceName, type: 'ManagedDevice', resourceId: device.managedDeviceId,
        modifiedProperties: [{ displayName: 'actionState', oldValue: null, newValue: action.state }],
      }]);
      ctx.log.info({ deviceId: device.deviceId, actionId: action.actionId, state: action.state, reason: failure }, 'rotation of the local admin password requested');
      return action;
    });
  }

  #queue(device: DeviceRecord, kind: Exclude<DeliveryKind, 'policy'>, actionId: string, nextSession: boolean): void {
    const ctx = this.#ctx;
    const cmdId = String(ctx.db.directory.reserveCmdIds(device.managedDeviceId, 1)) as CmdId;
    const command = kind === 'reset' ? resetPasswordCommand(cmdId) : resetPasswordStatusCommand(cmdId);
    const batchId = ctx.guid();
    ctx.db.state.putDelivery({
      batchId, managedDeviceId: device.managedDeviceId, kind, body: [command], sent: [{ cmdId, op: kind === 'reset' ? 'Exec' : 'Get' }],
      actionId, nextSession, createdAt: ctx.clock.now(),
    });
    ctx.outbox.queue(device.deviceId, { batchId, commands: [command], nextSession });
  }

  #settle(actionId: string, state: 'done' | 'failed', detail: string): void {
    this.#ctx.db.state.setAction(actionId, state, this.#ctx.clock.now(), detail);
    this.#ctx.log.info({ actionId, state, detail }, 'rotation of the local admin password settled');
  }

  /** Records the device's answers to an Exec or a status Get. Call inside write. */
  resetReplies(device: DeviceRecord, d: DeliveryRecord, replies: ReadonlyMap<string, CommandReply>): void {
    const ctx = this.#ctx;
    ctx.db.state.deleteDelivery(d.batchId);
    const actionId = d.actionId;
    if (actionId === undefined || ctx.db.state.action(actionId)?.state !== 'pending') return;
    const reply = replies.get(d.sent[0]!.cmdId);
    const code = reply?.status ?? SyncmlStatus.COMMAND_FAILED;
    if (d.kind === 'reset') {
      if (code === SyncmlStatus.OK || code === SyncmlStatus.ACCEPTED) this.#queue(device, 'reset-status', actionId, true);
      else this.#settle(actionId, 'failed', `Exec ResetPassword answered ${code}`);
      return;
    }
    if (code !== SyncmlStatus.OK) return this.#settle(actionId, 'failed', `Get ResetPasswordStatus answered ${code}`);
    const hr = /^\s*-?\d{1,11}\s*$/.test(reply?.data ?? '') ? Number(reply!.data) : Number.NaN;
    if (hr === 0) this.#settle(actionId, 'done', '');
    else if (hr === E_PENDING) this.#queue(device, 'reset-status', actionId, true);
    else this.#settle(actionId, 'failed', Number.isNaN(hr) ? `ResetPasswordStatus is not an HRESULT: ${(reply?.data ?? '').slice(0, 40)}` : `HRESULT ${hresultText(hr)}`);
  }

  /** The device's "Local admin password" view; `reveal` adds the password and audits the read. */
  passwordView(device: DeviceRecord, actor: Actor, reveal: boolean, userAgent: string): PasswordView {
    const ctx = this.#ctx;
    const dir = this.backupDirectory(device);
    const entra = dir === 1 ? ctx.entra.backups(device.deviceId) : undefined;
    const newest = entra?.credentials[0];
    const view: PasswordView = {
      managedDeviceId: device.managedDeviceId, deviceName: device.deviceName, azureADDeviceId: device.deviceId,
      backupDirectory: dir === undefined ? 'notConfigured' : BACKUP_DIRECTORY_NAMES[dir] ?? 'notConfigured',
      accountName: newest?.accountName ?? null, accountSid: newest?.accountSid ?? null,
      lastPasswordRotationDateTime: graphTimeOrNull(newest?.backupTime), nextPasswordRotationDateTime: graphTimeOrNull(entra?.refreshAt),
    };
    if (!reveal || newest === undefined) return view;
    ctx.write(() => {
      ctx.audit(actor, { ...ACTIVITIES.passwordRead, result: 'Success' }, [{ displayName: device.deviceName, type: 'ManagedDevice', resourceId: device.managedDeviceId }]);
    });
    ctx.entra.auditPasswordRead(device.deviceId, actor.principal, actor.ipAddress, userAgent);
    return { ...view, password: newest.password.reveal() };
  }

  /** deviceActionResults: the newest entry per action name. */
  actionResults(device: DeviceRecord): ActionRecord[] {
    const newest = new Map<string, ActionRecord>();
    for (const a of this.#ctx.db.state.actionsOf(device.managedDeviceId)) newest.set(a.actionName, a);
    return [...newest.values()];
  }
}
