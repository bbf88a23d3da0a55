/**
 * Runs the commands of one SyncML message against the registered CSP handlers and records one
 * answer slot per command (or per Item of a multi-Item command), in request order. A container's
 * slot comes before its children's. Rules: docs/architecture.md "Decisions where Windows is
 * ambiguous" and oma-dm-session.md section 3.
 */
import { type CspDevice, type CspHandler, type CspRegistry, type CspSession, resolveLocUri } from './handler.js';
import { serverAlertHandling } from './syncml/alerts.js';
import { isSuccess, SyncmlStatus } from './syncml/status.js';
import type { AlertCommand, BodyElement, ContainerCommand, Item, ItemCommand, Meta } from './syncml/types.js';

/** A Status to write: `code` is final once the enclosing Atomic (if any) has finished. */
export interface StatusSlot {
  readonly kind: 'status';
  readonly cmdRef: string;
  readonly cmd: string;
  readonly targetRef: string | undefined;
  code: number;
}

/** A Results to write after a Get's statuses. */
export interface ResultsSlot {
  readonly kind: 'results';
  readonly cmdRef: string;
  readonly items: readonly Item[];
}

export type Slot = StatusSlot | ResultsSlot;

/** Elements that may appear inside Atomic and Sequence (OMA DM 1.2 DTD, MS-MDM 2.2.7). */
const CONTAINED = new Set(['Add', 'Replace', 'Delete', 'Get', 'Exec', 'Atomic', 'Sequence', 'Alert']);

export class MessageRun {
  readonly slots: Slot[] = [];
  /** An Alert 1223 arrived: the session is over, nothing is committed or sent. */
  aborted = false;
  readonly #registry: CspRegistry;
  readonly #device: CspDevice;
  readonly #now: number;
  readonly #sessions = new Map<CspHandler, CspSession>();

  constructor(registry: CspRegistry, device: CspDevice, now: number) {
    this.#registry = registry;
    this.#device = device;
    this.#now = now;
  }

  /** Runs the SyncBody's elements in order. */
  runBody(body: readonly BodyElement[]): void {
    for (const e of body) {
      if (this.aborted) return;
      this.#run(e, false, false);
    }
  }

  /** Commits every session that was opened; returns what changed. */
  commit(): { changed: boolean; resetRequested: boolean } {
    let changed = false;
    let resetRequested = false;
    for (const s of this.#sessions.values()) {
      const r = s.commit();
      changed ||= r.changed;
      resetRequested ||= r.resetRequested;
    }
    return { changed, resetRequested };
  }

  #status(cmdRef: string | undefined, cmd: string, code: number, targetRef?: string): StatusSlot {
    const slot: StatusSlot = { kind: 'status', cmdRef: cmdRef ?? '', cmd, targetRef, code };
    this.slots.push(slot);
    return slot;
  }

  #run(e: BodyElement, inAtomic: boolean, inContainer: boolean): void {
    if (this.aborted) return;
    switch (e.kind) {
      case 'Add':
      case 'Replace':
      case 'Delete':
      case 'Get':
      case 'Exec':
        this.#runItems(e);
        return;
      case 'Atomic':
        this.#runAtomic(e);
        return;
      case 'Sequence':
        this.#runSequence(e, inAtomic);
        return;
      case 'Alert':
        this.#runAlert(e);
        return;
      case 'Status':
      case 'Results':
        // From the server these need no answer (no Status for a Status, none for a 200 Results);
        // inside a container they are not allowed.
        if (inContainer) this.#status(e.cmdId, e.kind, SyncmlStatus.BAD_REQUEST);
        return;
      case 'Unknown':
        this.#status(e.cmdId, e.name, SyncmlStatus.BAD_REQUEST);
        return;
    }
  }

  #runItems(cmd: ItemCommand): void {
    if (cmd.cmdId === undefined || cmd.items.length === 0) {
      this.#status(cmd.cmdId, cmd.kind, SyncmlStatus.BAD_REQUEST);
      return;
    }
    const multi = cmd.items.length > 1;
    let results: Item[] | undefined;
    for (const item of cmd.items) {
      const uri = item.target?.locUri;
      const r = this.#execute(cmd.kind, item, cmd.meta);
      this.#status(cmd.cmdId, cmd.kind, r.status, multi ? (uri ?? '') : undefined);
      if (r.result !== undefined && uri !== undefined) {
        (results ??= []).push({ source: { locUri: uri }, meta: { format: r.result.format }, data: r.result.data });
      }
    }
    if (results !== undefined) this.slots.push({ kind: 'results', cmdRef: cmd.cmdId, items: results });
  }

  #execute(command: ItemCommand['kind'], item: Item, cmdMeta: Meta | undefined): { status: number; result?: { format: string; data: string } | undefined } {
    const uri = item.target?.locUri;
    if (uri === undefined) return { status: SyncmlStatus.BAD_REQUEST };
    const resolved = resolveLocUri(uri);
    if (!resolved.ok) return { status: resolved.status };
    const route = this.#registry.route(resolved.canonical);
    if (route === undefined) return { status: SyncmlStatus.NOT_FOUND };
    let session = this.#sessions.get(route.handler);
    if (session === undefined) {
      session = route.handler.open(this.#device, this.#now);
      this.#sessions.set(route.handler, session);
    }
    return session.execute({
      command,
      path: route.path,
      format: item.meta?.format ?? cmdMeta?.format,
      type: item.meta?.type ?? cmdMeta?.type,
      data: item.data,
    });
  }

  #runSequence(cmd: ContainerCommand, inAtomic: boolean): void {
    const own = this.#status(cmd.cmdId, cmd.kind, SyncmlStatus.OK);
    if (cmd.cmdId === undefined) {
      own.code = SyncmlStatus.BAD_REQUEST;
      return;
    }
    for (const c of cmd.children) this.#run(c, inAtomic, true);
  }

  #runAlert(cmd: AlertCommand): void {
    const code = cmd.data === undefined ? Number.NaN : Number(cmd.data.trim());
    if (cmd.cmdId === undefined || cmd.data === undefined || cmd.data.trim() === '' || !Number.isInteger(code)) {
      this.#status(cmd.cmdId, 'Alert', SyncmlStatus.BAD_REQUEST);
      return;
    }
    const h = serverAlertHandling(code);
    if (h.kind === 'status') this.#status(cmd.cmdId, 'Alert', h.code);
    else if (h.kind === 'abort') this.aborted = true;
  }

  /**
   * Atomic: every child is checked before any runs (Get, nested Atomic: 500; missing CmdID,
   * non-command element: 400). Then the children run in order on staged state; at the first
   * failure the rest do not run, the staged changes are rolled back, the Atomic answers 507, the
   * offender keeps its code and every other child answers 216.
   */
  #runAtomic(cmd: ContainerCommand): void {
    const own = this.#status(cmd.cmdId, 'Atomic', SyncmlStatus.OK);
    if (cmd.cmdId === undefined) {
      own.code = SyncmlStatus.BAD_REQUEST;
      return;
    }
    const offenders = new Map<BodyElement, number>();
    collectOffenders(cmd.children, offenders);
    if (offenders.size > 0) {
      for (const c of cmd.children) this.#rolledBack(c, offenders);
      own.code = SyncmlStatus.ATOMIC_FAILED;
      return;
    }
    const start = this.slots.length;
    const marks = new Map<CspSession, number>();
    for (const s of this.#sessions.values()) marks.set(s, s.savepoint());
    let failed = false;
    for (const c of cmd.children) {
      if (failed || this.aborted) {
        this.#rolledBack(c, offenders);
        continue;
      }
      const before = this.slots.length;
      this.#run(c, true, true);
      for (let i = before; i < this.slots.length; i++) {
        const s = this.slots[i]!;
        if (s.kind === 'status' && !isSuccess(s.code)) failed = true;
      }
    }
    if (!failed) return;
    // Sessions opened inside the Atomic roll back to their start (savepoint 0).
    for (const s of this.#sessions.values()) s.rollbackTo(marks.get(s) ?? 0);
    for (let i = start; i < this.slots.length; i++) {
      const s = this.slots[i]!;
      if (s.kind === 'status' && isSuccess(s.code)) s.code = SyncmlStatus.ATOMIC_ROLLBACK_OK;
    }
    own.code = SyncmlStatus.ATOMIC_FAILED;
  }

  /** Answers an element of a failed Atomic that did not run: its offender code, else 216. */
  #rolledBack(e: BodyElement, offenders: ReadonlyMap<BodyElement, number>): void {
    const code = offenders.get(e) ?? SyncmlStatus.ATOMIC_ROLLBACK_OK;
    switch (e.kind) {
      case 'Add':
      case 'Replace':
      case 'Delete':
      case 'Get':
      case 'Exec':
        if (e.items.length > 1 && e.cmdId !== undefined) for (const it of e.items) this.#status(e.cmdId, e.kind, code, it.target?.locUri ?? '');
        else this.#status(e.cmdId, e.kind, code);
        return;
      case 'Atomic':
      case 'Sequence':
        this.#status(e.cmdId, e.kind, code);
        if (e.cmdId !== undefined) for (const c of e.children) this.#rolledBack(c, offenders);
        return;
      case 'Alert': {
        const alert = e.data === undefined ? undefined : serverAlertHandling(Number(e.data.trim()));
        if (offenders.has(e) || alert === undefined || alert.kind === 'status') this.#status(e.cmdId, 'Alert', code);
        return;
      }
      case 'Status':
      case 'Results':
        this.#status(e.cmdId, e.kind, code);
        return;
      case 'Unknown':
        this.#status(e.cmdId, e.name, code);
        return;
    }
  }
}

/** The children of an Atomic that make it fail before anything runs, with their codes. */
function collectOffenders(children: readonly BodyElement[], out: Map<BodyElement, number>): void {
  for (const c of children) {
    if (!CONTAINED.has(c.kind) || c.cmdId === undefined) out.set(c, SyncmlStatus.BAD_REQUEST);
    else if (c.kind === 'Get' || c.kind === 'Atomic') out.set(c, SyncmlStatus.COMMAND_FAILED);
    else if (c.kind === 'Sequence') collectOffenders(c.children, out);
  }
}
