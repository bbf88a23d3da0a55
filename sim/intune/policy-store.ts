/**
 * Policies, their assignments and admin tokens in the emulator's SQLite file. Synchronous,
 * statements prepared once; callers group changes with IntuneDb.transaction.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../store/database.js';
import type { AssignmentRecord, AssignmentTarget, PolicyRecord, SettingNode } from './policy-types.js';
import { targetGroupId } from './policy-types.js';

interface PolicyRow { id: string; name: string; description: string; scope_tags: string; settings: string; created_at: number; modified_at: number }
interface AssignmentRow { policy_id: string; group_id: string; target: string }
interface TokenRow { kind: string; roles: string; permissions: string; principal: string }

/** Who a token speaks for. */
export interface Principal {
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
}

/** What a token grants. */
export interface TokenGrant {
  readonly kind: 'master' | 'admin';
  readonly roles: readonly string[];
  /** Every permission the token holds (its roles' and the extra ones). */
  readonly permissions: readonly string[];
  readonly principal: Principal;
}

function policyOf(r: PolicyRow): PolicyRecord {
  return {
    id: r.id, name: r.name, description: r.description, roleScopeTagIds: JSON.parse(r.scope_tags) as string[],
    settings: JSON.parse(r.settings) as SettingNode[], createdAt: r.created_at, modifiedAt: r.modified_at,
  };
}

function assignmentOf(r: AssignmentRow): AssignmentRecord {
  return { id: `${r.policy_id}_${r.group_id}`, policyId: r.policy_id, target: JSON.parse(r.target) as AssignmentTarget };
}

/** SHA-256 of a token: only hashes are stored. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Policies, assignments and tokens in SQLite. */
export class PolicyStore {
  readonly #s;

  constructor(db: Db) {
    this.#s = {
      insert: db.prepare('INSERT INTO intune_policies (id, name, description, scope_tags, settings, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      update: db.prepare('UPDATE intune_policies SET name = ?, description = ?, scope_tags = ?, settings = ?, modified_at = ? WHERE id = ?'),
      get: db.prepare<[string], PolicyRow>('SELECT * FROM intune_policies WHERE id = ?'),
      list: db.prepare<[], PolicyRow>('SELECT * FROM intune_policies ORDER BY created_at, rowid'),
      delete: db.prepare('DELETE FROM intune_policies WHERE id = ?'),
      assignments: db.prepare<[string], AssignmentRow>('SELECT * FROM intune_assignments WHERE policy_id = ? ORDER BY seq'),
      allAssignments: db.prepare<[], AssignmentRow>('SELECT * FROM intune_assignments ORDER BY policy_id, seq'),
      clearAssignments: db.prepare('DELETE FROM intune_assignments WHERE policy_id = ?'),
      deleteAssignment: db.prepare('DELETE FROM intune_assignments WHERE policy_id = ? AND group_id = ?'),
      maxSeq: db.prepare<[string], { n: number | null }>('SELECT max(seq) AS n FROM intune_assignments WHERE policy_id = ?'),
      putAssignment: db.prepare(`INSERT INTO intune_assignments (policy_id, group_id, target, seq) VALUES (?, ?, ?, ?)
        ON CONFLICT (policy_id, group_id) DO UPDATE SET target = excluded.target`),
      groupAssigned: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM intune_assignments WHERE group_id = ?'),
      putToken: db.prepare(`INSERT INTO intune_tokens (token_hash, kind, roles, permissions, principal, created_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (token_hash) DO UPDATE SET kind = excluded.kind, roles = excluded.roles, permissions = excluded.permissions, principal = excluded.principal`),
      clearMaster: db.prepare("DELETE FROM intune_tokens WHERE kind = 'master'"),
      token: db.prepare<[string], TokenRow>('SELECT kind, roles, permissions, principal FROM intune_tokens WHERE token_hash = ?'),
    };
  }

  insert(p: PolicyRecord): void {
    this.#s.insert.run(p.id, p.name, p.description, JSON.stringify(p.roleScopeTagIds), JSON.stringify(p.settings), p.createdAt, p.modifiedAt);
  }

  update(p: PolicyRecord): void {
    this.#s.update.run(p.name, p.description, JSON.stringify(p.roleScopeTagIds), JSON.stringify(p.settings), p.modifiedAt, p.id);
  }

  get(id: string): PolicyRecord | undefined {
    const r = this.#s.get.get(id.toLowerCase());
    return r ? policyOf(r) : undefined;
  }

  list(): PolicyRecord[] {
    return this.#s.list.all().map(policyOf);
  }

  delete(id: string): boolean {
    return this.#s.delete.run(id).changes > 0;
  }

  assignments(policyId: string): AssignmentRecord[] {
    return this.#s.assignments.all(policyId).map(assignmentOf);
  }

  /** Every assignment of every policy, by policy id. */
  allAssignments(): Map<string, AssignmentRecord[]> {
    const out = new Map<string, AssignmentRecord[]>();
    for (const r of this.#s.allAssignments.all()) {
      const list = out.get(r.policy_id) ?? [];
      list.push(assignmentOf(r));
      out.set(r.policy_id, list);
    }
    return out;
  }

  /** Replaces the policy's assignments with these targets (the /assign action). */
  replaceAssignments(policyId: string, targets: readonly AssignmentTarget[]): void {
    this.#s.clearAssignments.run(policyId);
    targets.forEach((t, i) => this.#s.putAssignment.run(policyId, targetGroupId(t), JSON.stringify(t), i));
  }

  /** Adds one target (or replaces the one on the same group). */
  addAssignment(policyId: string, target: AssignmentTarget): AssignmentRecord {
    const seq = (this.#s.maxSeq.get(policyId)?.n ?? -1) + 1;
    this.#s.putAssignment.run(policyId, targetGroupId(target), JSON.stringify(target), seq);
    return { id: `${policyId}_${targetGroupId(target)}`, policyId, target };
  }

  deleteAssignment(policyId: string, groupId: string): boolean {
    return this.#s.deleteAssignment.run(policyId, groupId).changes > 0;
  }

  /** True when some policy is assigned to the group. */
  groupAssigned(groupId: string): boolean {
    return (this.#s.groupAssigned.get(groupId)?.n ?? 0) > 0;
  }

  /** Stores a token; the master token replaces the previous master. */
  putToken(token: string, grant: TokenGrant, at: number): void {
    if (grant.kind === 'master') this.#s.clearMaster.run();
    this.#s.putToken.run(tokenHash(token), grant.kind, JSON.stringify(grant.roles), JSON.stringify(grant.permissions), JSON.stringify(grant.principal), at);
  }

  token(token: string): TokenGrant | undefined {
    const r = this.#s.token.get(tokenHash(token));
    if (!r) return undefined;
    return {
      kind: r.kind === 'master' ? 'master' : 'admin', roles: JSON.parse(r.roles) as string[], permissions: JSON.parse(r.permissions) as string[],
      principal: JSON.parse(r.principal) as Principal,
    };
  }
}
