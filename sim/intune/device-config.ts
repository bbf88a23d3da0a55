/**
 * Each device's LAPS configuration: which policies reach it, how they merge, what it should hold,
 * and delivery. A device gets a policy batch only when its effective values differ from what it
 * confirmed, one batch at a time; a conflict freezes it (nothing is sent); unassignment sends
 * Deletes. The device's Status for each command is recorded per node: a Replace applies only when
 * its Atomic succeeded, a Delete answered 200 or 404 removes the node. A batch that failed is
 * not sent again for the same values until the device checks in again.
 */
import type { SettingValue } from '../../csp/laps/settings.js';
import { SyncmlStatus } from '../../csp/syncml/status.js';
import {
  desiredValues, mergePolicies, type Contribution, type DeviceConfigState, type MergeResult,
} from './conflicts.js';
import { cmdIdCounter, policyCommands, policyCspSettings, sameValue } from './csp-translate.js';
import type { CommandReply } from './delivery.js';
import type { DeviceRecord, PolicyRecord } from './policy-types.js';
import type { ServiceContext } from './service-context.js';
import type { DeliveryRecord } from './state-store.js';
import { targetedPolicies, type PolicyTargets, type TargetedVia } from './targeting.js';

/** Every policy with its CSP settings and targets, loaded once for a pass over devices. */
export interface PolicySet {
  readonly policies: ReadonlyMap<string, PolicyRecord>;
  readonly contributions: ReadonlyMap<string, Contribution>;
  readonly targets: readonly PolicyTargets[];
}

/** What the server knows and wants for one device. */
export interface DeviceView {
  readonly device: DeviceRecord;
  readonly targeted: ReadonlyMap<string, TargetedVia>;
  readonly contributions: readonly Contribution[];
  readonly merge: MergeResult;
  readonly state: DeviceConfigState;
  /** Values the device should hold; undefined while a conflict freezes it. */
  readonly desired: ReadonlyMap<string, SettingValue> | undefined;
  readonly pendingPolicy: DeliveryRecord | undefined;
}

/** Views, reconciliation and delivery results of every device's LAPS configuration. */
export class ConfigEngine {
  readonly #ctx: ServiceContext;
  #deferDepth = 0;
  #deferred = false;

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
  }

  /**
   * Runs `fn` with every reconcileAll it causes folded into one pass at the end: a bulk change
   * (a fleet enrolling 100,000 devices, adding them to a group) reconciles each device once
   * instead of once per change. With `scope`, the pass covers only the devices it returns (new
   * devices enrolled into groups concern no other device). Nested calls join the outer one.
   */
  deferReconcile<T>(fn: () => T, scope?: () => readonly DeviceRecord[]): T {
    this.#deferDepth++;
    try {
      return fn();
    } finally {
      if (--this.#deferDepth === 0 && this.#deferred) {
        this.#deferred = false;
        if (scope === undefined) this.reconcileAll();
        else {
          const devices = scope();
          this.#ctx.write(() => {
            const set = this.policySet();
            for (const d of devices) this.reconcile(d, set);
          });
        }
      }
    }
  }

  /** Loads every policy and assignment. */
  policySet(): PolicySet {
    const db = this.#ctx.db;
    const policies = new Map(db.policies.list().map((p) => [p.id, p]));
    const assignments = db.policies.allAssignments();
    const contributions = new Map([...policies.values()].map((p) => [p.id, { policyId: p.id, settings: policyCspSettings(p.settings) }]));
    const targets = [...policies.keys()].map((id) => ({ policyId: id, targets: (assignments.get(id) ?? []).map((a) => a.target) }));
    return { policies, contributions, targets };
  }

  /** The device's view: targeted policies, merge, state and desired values. */
  view(device: DeviceRecord, set: PolicySet = this.policySet()): DeviceView {
    const dir = this.#ctx.db.directory;
    const userId = device.signedInUserId;
    const targeted = targetedPolicies({
      deviceGroups: dir.groupsOf(device.objectId), userGroups: userId === undefined ? new Set() : dir.groupsOf(userId), userSignedIn: userId !== undefined,
    }, set.targets);
    const contributions = [...targeted.keys()].map((id) => set.contributions.get(id)).filter((c): c is Contribution => c !== undefined);
    const merge = mergePolicies(contributions);
    const pendingPolicy = this.#ctx.db.state.deliveriesOf(device.managedDeviceId).find((d) => d.kind === 'policy');
    const inFlight = new Map<string, SettingValue>();
    for (const c of pendingPolicy?.sent ?? []) if (c.op === 'Replace' && c.node !== undefined && c.value !== undefined) inFlight.set(c.node, c.value);
    const state: DeviceConfigState = {
      osVersion: device.osVersion, applied: this.#ctx.db.state.applied(device.managedDeviceId), inFlight, results: this.#ctx.db.state.results(device.managedDeviceId),
    };
    return { device, targeted, contributions, merge, state, desired: desiredValues(merge, device.osVersion), pendingPolicy };
  }

  /**
   * Sends the device a policy batch when its desired values differ from what it confirmed, no
   * batch is on its way, and (unless `retryErrors`) the same values did not just fail.
   * Call inside ServiceContext.write.
   */
  reconcile(device: DeviceRecord, set: PolicySet, retryErrors = false): void {
    const v = this.view(device, set);
    if (v.desired === undefined || v.pendingPolicy !== undefined) return;
    const desired = v.desired;
    const applied = v.state.applied;
    const changed = [...desired].filter(([n, value]) => !sameValue(applied.get(n), value)).map(([n, value]) => ({ n, value }));
    const removed = [...applied.keys()].filter((n) => !desired.has(n)).map((n) => ({ n, value: undefined }));
    const differing = [...changed, ...removed];
    if (differing.length === 0) return;
    const failedBefore = differing.every(({ n, value }) => {
      const r = v.state.results.get(n);
      return r?.status === 'error' && sameValue(r.value, value);
    });
    if (failedBefore && !retryErrors) return;
    this.#send(device, desired, applied);
  }

  /** Reconciles every device (after a change to policies, assignments or groups). */
  reconcileAll(): void {
    if (this.#deferDepth > 0) {
      this.#deferred = true;
      return;
    }
    this.#ctx.write(() => {
      const set = this.policySet();
      for (const d of this.#ctx.db.directory.devices()) this.reconcile(d, set);
    });
  }

  #send(device: DeviceRecord, desired: ReadonlyMap<string, SettingValue>, applied: ReadonlyMap<string, SettingValue>): void {
    const ctx = this.#ctx;
    const removed = [...applied.keys()].filter((n) => !desired.has(n)).length;
    const count = (desired.size > 0 ? desired.size + 1 : 0) + removed;
    const first = ctx.db.directory.reserveCmdIds(device.managedDeviceId, count);
    const { body, sent } = policyCommands(desired, applied, cmdIdCounter(first));
    const batchId = ctx.guid();
    ctx.db.state.putDelivery({
      batchId, managedDeviceId: device.managedDeviceId, kind: 'policy', body, sent, actionId: undefined, nextSession: false, createdAt: ctx.clock.now(),
    });
    ctx.outbox.queue(device.deviceId, { batchId, commands: body, nextSession: false });
    ctx.log.info({ deviceId: device.deviceId, batchId, replace: desired.size, delete: removed }, 'LAPS policy queued for the device');
  }

  /** Records the device's answers to a policy batch, then reconciles it again. Call inside write. */
  policyReplies(device: DeviceRecord, d: DeliveryRecord, replies: ReadonlyMap<string, CommandReply>): void {
    const ctx = this.#ctx;
    const at = ctx.clock.now();
    const id = device.managedDeviceId;
    const atomic = d.sent.find((c) => c.op === 'Atomic');
    const atomicOk = atomic === undefined || replies.get(atomic.cmdId)?.status === SyncmlStatus.OK;
    for (const c of d.sent) {
      if (c.node === undefined) continue;
      const code = replies.get(c.cmdId)?.status ?? SyncmlStatus.COMMAND_FAILED;
      if (c.op === 'Replace') {
        const ok = atomicOk && code === SyncmlStatus.OK;
        if (ok) ctx.db.state.setApplied(id, c.node, c.value!, at);
        ctx.db.state.setResult(id, c.node, { status: ok ? 'succeeded' : 'error', code, value: c.value, at });
      } else if (c.op === 'Delete') {
        const ok = code === SyncmlStatus.OK || code === SyncmlStatus.NOT_FOUND;
        if (ok) ctx.db.state.removeApplied(id, c.node);
        ctx.db.state.setResult(id, c.node, { status: ok ? 'succeeded' : 'error', code, value: undefined, at });
      }
    }
    ctx.db.state.deleteDelivery(d.batchId);
    const failed = d.sent.filter((c) => c.node !== undefined && !(replies.get(c.cmdId)?.status === SyncmlStatus.OK || (c.op === 'Delete' && replies.get(c.cmdId)?.status === SyncmlStatus.NOT_FOUND)));
    if (!atomicOk || failed.length > 0) {
      ctx.log.warn({ deviceId: device.deviceId, batchId: d.batchId, failed: failed.map((c) => `${c.op} ${c.node ?? ''}: ${replies.get(c.cmdId)?.status ?? 'no status'}`) },
        'the device did not apply the LAPS policy');
    }
    this.reconcile(device, this.policySet());
  }
}
