/**
 * The scenario's global events for one shard, as a time-ordered list: the timeline (policies,
 * assignments, group members, sign-ins, the tenant switch, hand-made password changes), the
 * administrators' rotate and reveal actions at seeded times on seeded devices, the faults that
 * start at a moment (crashes armed, clock jumps, partitions, server restarts) and the daily sweep.
 * The oracle learns of every policy change before the server makes it.
 */
import { Secret } from '../../core/secret.js';
import { FAULT_POINTS } from '../../agent/rotation/faults.js';
import { policyCspValues } from '../intune/csp-translate.js';
import { ActionRefused } from '../intune/device-actions.js';
import { FLEET_ACTOR } from './fleet-server.js';
import { policyContent } from './fleet-policies.js';
import type { TimelineEntry } from './scenario.js';
import { checkPasswordOpens, expirySweep } from './shard-checks.js';
import { logonWith } from './shard-events.js';
import { DAY, localIndex, type GlobalEvent, type Shard } from './shard.js';

/** Devices of the shard a fraction of the fleet picks (by a salted hash of the global index). */
function picked(sh: Shard, salt: string, fraction: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < sh.state.n; i++) if (sh.sampler.chance(salt, sh.state.global[i]!, fraction)) out.push(i);
  return out;
}

/** Runs a change on the management server now, or when it is back up from a restart. */
function whenUp(sh: Shard, fn: () => void): void {
  if (sh.server.up) fn();
  else sh.whileDown.push(fn);
}

/** Intune-managed devices only. */
function intune(sh: Shard, list: number[]): number[] {
  return list.filter((i) => sh.state.managed[i] !== '');
}

function timelineAction(sh: Shard, t: TimelineEntry, n: number): () => Promise<void> | void {
  const svc = () => sh.server.service;
  switch (t.do) {
    case 'assign':
      return () => {
        sh.oracle.assign(t.policy, t.include, t.exclude);
        whenUp(sh, () => sh.server.assign(t.policy, t.include, t.exclude));
      };
    case 'update-policy':
      return () => {
        const content = policyContent(t.policy, '', t.settings, `timeline[${n}]`);
        sh.oracle.setPolicy(t.policy, policyCspValues(content.settings));
        whenUp(sh, () => svc().policies.patch(sh.server.policies.get(t.policy)!, { settings: content.settings }, FLEET_ACTOR));
      };
    case 'delete-policy':
      return () => {
        sh.oracle.deletePolicy(t.policy);
        whenUp(sh, () => svc().policies.delete(sh.server.policies.get(t.policy)!, FLEET_ACTOR));
      };
    case 'add-devices':
    case 'remove-devices':
      return () => {
        const bit = sh.oracle.bit(t.group);
        const add = t.do === 'add-devices';
        const list = intune(sh, picked(sh, `${t.do}:${t.group}:${n}`, t.fraction)).filter((i) => ((sh.state.groups[i]! & bit) !== 0) !== add);
        for (const i of list) sh.state.groups[i] = add ? sh.state.groups[i]! | bit : sh.state.groups[i]! & ~bit;
        const groupId = sh.server.groups.get(t.group)!;
        whenUp(sh, () => svc().config.deferReconcile(() => {
          for (const i of list) {
            const objectId = sh.server.device(sh.state.deviceIds[i]!)!.objectId;
            if (add) svc().directory.addMember(groupId, { kind: 'device', id: objectId });
            else svc().directory.removeMember(groupId, objectId);
          }
        }));
      };
    case 'sign-in':
    case 'sign-out':
      return () => {
        const u = sh.s.users.findIndex((x) => x.name === t.user);
        const list = t.do === 'sign-in' ? intune(sh, picked(sh, `sign-in:${t.user}:${n}`, t.fraction)) : intune(sh, [...Array(sh.state.n).keys()].filter((i) => sh.state.user[i] === u));
        for (const i of list) sh.state.user[i] = t.do === 'sign-in' ? u : -1;
        whenUp(sh, () => svc().config.deferReconcile(() => {
          for (const i of list) {
            if (t.do === 'sign-in') svc().directory.signIn(sh.state.managed[i]!, sh.server.users.get(t.user)!);
            else svc().directory.signOut(sh.state.managed[i]!);
          }
        }));
      };
    case 'tenant-laps':
      return () => sh.server.entra.store.setLapsEnabled(sh.server.tenantId, t.enabled);
    case 'tamper':
      return async () => {
        for (const i of picked(sh, `tamper:${n}`, t.fraction)) {
          const id = sh.state.deviceIds[i]!;
          const rid = sh.devices.ports.state(id).load().lastAccountRid;
          if (rid === undefined) continue;
          // Someone sets the local password by hand, past LAPS: the directory no longer knows it.
          const chars = Array.from({ length: 16 }, () => 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'[sh.cryptoRng.int(57)]).join('');
          sh.devices.accounts(id).setPassword(rid, new Secret(chars), sh.deviceNow(i));
          sh.devices.forget(i);
          sh.stats.counts.faults.tampered++;
          await checkPasswordOpens(sh, i);
        }
      };
  }
}

async function rotateAction(sh: Shard, i: number): Promise<void> {
  const c = sh.stats.counts.admin;
  if (!sh.server.up) {
    c.skippedServerDown++;
    return;
  }
  const rec = sh.server.device(sh.state.deviceIds[i]!);
  c.rotateRequested++;
  if (!rec) {
    c.rotateRefused++;
    return;
  }
  try {
    const a = sh.server.service.actions.rotate(rec, FLEET_ACTOR);
    if (a.state === 'failed') c.rotateRefused++;
    else sh.rotateActions.push(a.actionId);
  } catch (e) {
    if (!(e instanceof ActionRefused)) throw e;
    c.rotateRefused++;
  }
}

async function revealAction(sh: Shard, i: number): Promise<void> {
  const c = sh.stats.counts.admin;
  if (!sh.server.up) {
    c.skippedServerDown++;
    return;
  }
  const id = sh.state.deviceIds[i]!;
  const rec = sh.server.device(id);
  c.reveals++;
  const view = rec ? sh.server.service.actions.passwordView(rec, FLEET_ACTOR, true, 'lapsim fleet') : undefined;
  if (view?.password === undefined || view.accountName === null) {
    c.revealedNothing++;
    return;
  }
  sh.watch.remember(view.password, id);
  const password = new Secret(view.password);
  const rid = sh.devices.ports.state(id).load().lastAccountRid;
  if (rid !== undefined && sh.devices.accounts(id).verifyPassword(rid, password)) c.revealedOpens++;
  else c.revealedDoesNotOpen++;
  if (sh.s.admin.logonAfterReveal && sh.availability.online(i, sh.clock.now())) logonWith(sh, i, view.accountName, password);
  await checkPasswordOpens(sh, i);
}

/** Every global event of the shard, in time order. */
export function globalEvents(sh: Shard): GlobalEvent[] {
  const s = sh.s;
  const at = (day: number): number => sh.start + day * DAY;
  const out: GlobalEvent[] = [];
  let seq = 0;
  const add = (time: number, run: GlobalEvent['run']): void => void out.push({ time: Math.round(time), seq: seq++, run });
  const mine = (k: number): number | undefined => localIndex(sh.o.shard, k);
  s.timeline.forEach((t, n) => add(at(t.day), timelineAction(sh, t, n)));
  for (const [kind, count] of [['rotate', s.admin.rotate], ['reveal', s.admin.reveal]] as const) {
    for (let r = 0; r < count; r++) {
      const i = mine(sh.sampler.int(`admin-${kind}-device`, r, s.devices));
      if (i === undefined) continue;
      add(sh.start + sh.sampler.unit(`admin-${kind}-time`, r) * s.days * DAY, () => (kind === 'rotate' ? rotateAction(sh, i) : revealAction(sh, i)));
    }
  }
  s.faults.crashes.forEach((c, n) => add(at(c.day), () => {
    const code = 1 + FAULT_POINTS.indexOf(c.point) * 2 + (c.mode === 'fail' ? 1 : 0);
    for (const i of picked(sh, `crash:${n}`, c.fraction)) {
      sh.state.fault[i] = code;
      sh.devices.forget(i);
    }
  }));
  s.faults.clockJumps.forEach((j, n) => add(at(j.day), () => {
    for (const i of picked(sh, `jump:${n}`, j.fraction)) {
      sh.state.skew[i] = sh.state.skew[i]! + j.hours * 3_600_000;
      sh.state.excuse[i] = Math.max(sh.state.excuse[i]!, sh.clock.now());
      sh.stats.counts.faults.clockJumps++;
      sh.wantCycle(i, sh.tick(i, sh.clock.now() + 1), 'background');
    }
  }));
  s.faults.partitions.forEach((p, n) => add(at(p.day), () => {
    sh.stats.counts.faults.partitions += picked(sh, `partition:${n}`, p.fraction).length;
  }));
  s.faults.serverRestarts.forEach((r) => {
    add(at(r.day), () => {
      sh.stats.counts.faults.serverRestarts++;
      sh.logger.warn({ downMinutes: r.downMinutes }, 'management server restart');
      sh.server.stop();
      sh.channel.dropAll();
    });
    add(at(r.day) + r.downMinutes * 60_000, () => {
      sh.server.start(sh.channel);
      sh.channel.sink = sh.server.service;
      for (const fn of sh.whileDown.splice(0)) fn();
    });
  });
  for (let d = 1; d <= Math.floor(s.days); d++) add(at(d), () => expirySweep(sh));
  out.sort((a, b) => a.time - b.time || a.seq - b.seq);
  return out;
}

