/**
 * LAPS policies and their assignments: create, replace (PUT), merge (PATCH), delete, assign.
 * Every change is audited (who, when, what changed) and every device is reconciled after it, so a
 * change reaches the devices it concerns, and only those whose effective values change.
 */
import { formatSettingValue } from '../../csp/laps/settings.js';
import { ACTIVITIES, type Actor, type ModifiedProperty } from './audit.js';
import { policyCspSettings } from './csp-translate.js';
import type { ConfigEngine } from './device-config.js';
import { badRequest, notFound } from './graph-failure.js';
import type { AssignmentRecord, AssignmentTarget, PolicyContent, PolicyRecord } from './policy-types.js';
import { targetGroupId } from './policy-types.js';
import type { ServiceContext } from './service-context.js';

/** Most assignments one policy may have. */
export const MAX_ASSIGNMENTS = 100;

/** `BackupDirectory=1, PasswordAgeDays=30`: a policy's CSP values, for audit entries. */
export function describeSettings(p: Pick<PolicyContent, 'settings'>): string {
  return policyCspSettings(p.settings).map((s) => `${s.node}=${formatSettingValue(s.value)}`).join(', ');
}

function changes(before: PolicyContent, after: PolicyContent): ModifiedProperty[] {
  const out: ModifiedProperty[] = [];
  if (before.name !== after.name) out.push({ displayName: 'Name', oldValue: before.name, newValue: after.name });
  if (before.description !== after.description) out.push({ displayName: 'Description', oldValue: before.description, newValue: after.description });
  const [a, b] = [describeSettings(before), describeSettings(after)];
  if (a !== b) out.push({ displayName: 'Settings', oldValue: a, newValue: b });
  return out;
}

function describeTarget(t: AssignmentTarget): string {
  return `${t.kind}:${targetGroupId(t)}`;
}

/** Policy CRUD and assignments, audited; changes reconcile every device. */
export class PolicyService {
  readonly #ctx: ServiceContext;
  readonly #config: ConfigEngine;

  constructor(ctx: ServiceContext, config: ConfigEngine) {
    this.#ctx = ctx;
    this.#config = config;
  }

  list(): PolicyRecord[] {
    return this.#ctx.db.policies.list();
  }

  /** @throws GraphFailure 404 */
  get(id: string): PolicyRecord {
    const p = this.#ctx.db.policies.get(id);
    if (!p) throw notFound('DeviceManagementConfigurationPolicy', id);
    return p;
  }

  isAssigned(id: string): boolean {
    return this.#ctx.db.policies.assignments(id).length > 0;
  }

  assignments(id: string): AssignmentRecord[] {
    return this.#ctx.db.policies.assignments(this.get(id).id);
  }

  create(content: PolicyContent, actor: Actor): PolicyRecord {
    const ctx = this.#ctx;
    const now = ctx.clock.now();
    const p: PolicyRecord = { ...content, id: ctx.guid(), createdAt: now, modifiedAt: now };
    ctx.write(() => {
      ctx.db.policies.insert(p);
      ctx.audit(actor, { ...ACTIVITIES.policyCreate, result: 'Success' }, [{
        displayName: p.name, type: 'DeviceManagementConfigurationPolicy', resourceId: p.id,
        modifiedProperties: [{ displayName: 'Settings', oldValue: null, newValue: describeSettings(p) }],
      }]);
    });
    return p;
  }

  /** PUT: the whole policy, settings included. */
  replace(id: string, content: PolicyContent, actor: Actor): PolicyRecord {
    return this.#update(id, () => content, actor, 'replace');
  }

  /** PATCH: the fields given, others kept. */
  patch(id: string, partial: Partial<PolicyContent>, actor: Actor): PolicyRecord {
    return this.#update(id, (before) => ({ ...before, ...partial }), actor, 'patch');
  }

  #update(id: string, next: (before: PolicyRecord) => PolicyContent, actor: Actor, how: 'replace' | 'patch'): PolicyRecord {
    const ctx = this.#ctx;
    const p = ctx.write(() => {
      const before = this.get(id);
      const content = next(before);
      const after: PolicyRecord = {
        id: before.id, createdAt: before.createdAt, modifiedAt: ctx.clock.now(),
        name: content.name, description: content.description, roleScopeTagIds: content.roleScopeTagIds, settings: content.settings,
      };
      ctx.db.policies.update(after);
      ctx.audit(actor, { ...(how === 'replace' ? ACTIVITIES.policyUpdate : ACTIVITIES.policyPatch), result: 'Success' }, [{
        displayName: after.name, type: 'DeviceManagementConfigurationPolicy', resourceId: after.id, modifiedProperties: changes(before, after),
      }]);
      return after;
    });
    this.#config.reconcileAll();
    return p;
  }

  delete(id: string, actor: Actor): void {
    const ctx = this.#ctx;
    ctx.write(() => {
      const p = this.get(id);
      ctx.db.policies.delete(p.id);
      ctx.audit(actor, { ...ACTIVITIES.policyDelete, result: 'Success' }, [{ displayName: p.name, type: 'DeviceManagementConfigurationPolicy', resourceId: p.id }]);
    });
    this.#config.reconcileAll();
  }

  #checkTargets(targets: readonly AssignmentTarget[]): void {
    if (targets.length > MAX_ASSIGNMENTS) throw badRequest(`A policy can have at most ${MAX_ASSIGNMENTS} assignments.`);
    const seen = new Set<string>();
    for (const t of targets) {
      const g = targetGroupId(t);
      if (seen.has(g)) throw badRequest(`The group '${g}' is assigned more than once.`);
      seen.add(g);
      if ((t.kind === 'group' || t.kind === 'exclusionGroup') && !this.#ctx.db.directory.group(t.groupId)) {
        throw badRequest(`The group '${t.groupId}' does not exist.`);
      }
    }
  }

  /** The /assign action: the list replaces the policy's assignments (`[]` unassigns). */
  assign(id: string, targets: readonly AssignmentTarget[], actor: Actor): AssignmentRecord[] {
    const ctx = this.#ctx;
    const out = ctx.write(() => {
      const p = this.get(id);
      this.#checkTargets(targets);
      const before = ctx.db.policies.assignments(p.id).map((a) => describeTarget(a.target)).join(', ');
      ctx.db.policies.replaceAssignments(p.id, targets);
      ctx.audit(actor, { ...ACTIVITIES.policyAssign, result: 'Success' }, [{
        displayName: p.name, type: 'DeviceManagementConfigurationPolicy', resourceId: p.id,
        modifiedProperties: [{ displayName: 'Assignments', oldValue: before, newValue: targets.map(describeTarget).join(', ') }],
      }]);
      return ctx.db.policies.assignments(p.id);
    });
    this.#config.reconcileAll();
    return out;
  }

  /** POST .../assignments: adds one target (or replaces the one on the same group). */
  addAssignment(id: string, target: AssignmentTarget, actor: Actor): AssignmentRecord {
    const p = this.get(id);
    const others = this.#ctx.db.policies.assignments(p.id).map((a) => a.target).filter((t) => targetGroupId(t) !== targetGroupId(target));
    this.assign(p.id, [...others, target], actor);
    return this.#ctx.db.policies.assignments(p.id).find((a) => targetGroupId(a.target) === targetGroupId(target))!;
  }

  /** DELETE .../assignments/{policyId_groupId}. */
  deleteAssignment(id: string, assignmentId: string, actor: Actor): void {
    const p = this.get(id);
    const all = this.#ctx.db.policies.assignments(p.id);
    if (!all.some((a) => a.id === assignmentId.toLowerCase())) throw notFound('DeviceManagementConfigurationPolicyAssignment', assignmentId);
    this.assign(p.id, all.filter((a) => a.id !== assignmentId.toLowerCase()).map((a) => a.target), actor);
  }
}
