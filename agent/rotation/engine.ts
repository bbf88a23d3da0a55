/**
 * The rotation engine: a journal, not a function call. Intent (new password sealed) is committed
 * first; the directory is written next; only when it accepted the password is the local account
 * changed; then the outcome is committed. A crash at any point is resolved by `recover` on
 * restart so that the directory always holds a password that opens the account.
 */
import { EscrowError, isLapsError } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';
import type {
  AccountDatabase, CycleResult, DirectoryBackend, EventFieldValue, LapsState, LapsStateStore, RotationIntent, RotationJournal,
} from '../ports.js';
import { CrashSignal, type FaultInjector } from './faults.js';

/** Records an event of the catalogue (the device wires it to the event log). */
export type Emit = (id: number, fields?: Record<string, EventFieldValue>) => void;

export interface RotationEngineDeps {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly accounts: AccountDatabase;
  readonly journal: RotationJournal;
  readonly state: LapsStateStore;
  readonly directory: DirectoryBackend;
  /** Runs `fn` atomically against the store (SQLite transaction; plain call in memory). */
  readonly transaction: <T>(fn: () => T) => T;
  readonly emit: Emit;
  readonly faults?: FaultInjector | undefined;
  /** Diagnostic detail of failures (goes to the logger, never to events). */
  readonly log?: ((fields: Record<string, unknown>) => void) | undefined;
}

export type RotationOutcome =
  | { readonly ok: true; readonly intent: RotationIntent }
  | { readonly ok: false; readonly stage: 'escrow' | 'local' | 'commit'; readonly intent: RotationIntent; readonly error: Error; readonly hresult: number };

/** HRESULTs the engine reports (unsigned 32-bit). */
export const HRESULT = {
  S_OK: 0,
  /** E_FAIL */
  E_FAIL: 0x80004005,
  /** HRESULT_FROM_WIN32(ERROR_NOT_FOUND) */
  NOT_FOUND: 0x80070490,
  /** HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED) */
  NOT_SUPPORTED: 0x80070032,
  /** HRESULT_FROM_WIN32(ERROR_BAD_NETPATH): directory unreachable */
  UNREACHABLE: 0x80070035,
  /** HRESULT_FROM_WIN32(400): what Reset-LapsPassword shows when Entra refuses (0x80070190) */
  HTTP_400: 0x80070190,
  /** E_PENDING, 0x8000000A */
  E_PENDING: 0x8000000a,
  /** HRESULT_FROM_WIN32(ERROR_POLICY_CONTROLLED_ACCOUNT 8654) */
  POLICY_CONTROLLED: 0x800721ce,
  /** HRESULT_FROM_WIN32(ERROR_PASSWORD_RESTRICTION) */
  PASSWORD_RESTRICTION: 0x8007052d,
} as const;

/** The HRESULT for an escrow failure. */
export function escrowHresult(e: Error): number {
  if (e instanceof EscrowError) {
    if (e.hresult !== undefined) return e.hresult >>> 0;
    if (e.httpStatus !== undefined && e.httpStatus >= 400) return (0x80070000 | e.httpStatus) >>> 0;
    return e.retryable ? HRESULT.UNREACHABLE : HRESULT.E_FAIL;
  }
  return HRESULT.E_FAIL;
}

/**
 * State after a successful rotation, with the cycle's result when given (one object, one write).
 */
export function stateAfter(state: LapsState, intent: RotationIntent, result?: CycleResult): LapsState {
  const next: { -readonly [K in keyof LapsState]: LapsState[K] } = {
    ...state,
    lastPasswordUpdateTime: intent.startedAt,
    passwordExpiry: intent.expiry,
    lastAccountRid: intent.accountRid,
    lastAccountName: intent.renameTo ?? intent.accountName,
    lastPolicySource: intent.policySource,
    lastBackupDirectory: intent.backupDirectory,
    localSetFailed: false,
  };
  if (intent.encryptionTarget !== undefined) next.lastEncryptionTarget = intent.encryptionTarget;
  if (intent.passwordVersion !== undefined) next.lastPasswordVersion = intent.passwordVersion;
  if (result) {
    next.lastResult = result;
    next.failures = 0;
  }
  return next;
}

export class RotationEngine {
  constructor(private readonly d: RotationEngineDeps) {}

  /**
   * Rotates the account's password per `intent`, directory first. Never throws but for a CrashSignal.
   * @param result the cycle's result, folded into the final commit so that a successful rotation
   *   writes LAPS state once
   */
  async rotate(intent: RotationIntent, password: Secret, result?: CycleResult): Promise<RotationOutcome> {
    const d = this.d;
    d.journal.begin(intent, password);
    try {
      d.faults?.hit('before-escrow');
      await this.#escrow(intent, password);
    } catch (e) {
      if (e instanceof CrashSignal) throw e;
      d.journal.clear();
      return this.#escrowFailed(intent, e as Error);
    }
    if (!d.directory.inStore) d.journal.advance('escrowed');
    return this.#finishLocal(intent, password, false, result);
  }

  /**
   * Resolves a rotation left in flight by a crash. Returns what was done:
   * 'none' (no journal), 'completed' (the escrowed password was put in effect and committed),
   * 'discarded' (the directory never got it; the old password stays in effect).
   */
  async recover(): Promise<'none' | 'completed' | 'discarded' | 'failed'> {
    const entry = this.d.journal.current();
    if (!entry) return 'none';
    const { intent, password } = entry;
    if (entry.phase === 'intent') {
      // The crash happened around the directory write: did the directory take it?
      let held = false;
      try {
        const dir = this.d.directory;
        if (dir.holds) held = await dir.holds(this.d.deviceId, intent, password);
        else {
          const creds = await dir.credentials(this.d.deviceId);
          held = creds.length > 0 && creds[0]!.password.equals(password);
        }
      } catch {
        return 'failed';
      }
      if (!held) {
        this.d.journal.clear();
        return 'discarded';
      }
      this.d.journal.advance('escrowed');
    }
    // Whether the local set happened is read from the account itself: its hash opens with the
    // journal's password (journals of earlier versions say 'local-set').
    const acct = this.d.accounts.byRid(intent.accountRid);
    const alreadySet = entry.phase === 'local-set' || (acct !== undefined && this.d.accounts.verifyPassword(intent.accountRid, password));
    const outcome = await this.#finishLocal(intent, password, alreadySet);
    return outcome.ok ? 'completed' : 'failed';
  }

  async #escrow(intent: RotationIntent, password: Secret): Promise<void> {
    const d = this.d;
    const req = {
      deviceId: d.deviceId,
      deviceName: d.deviceName,
      accountName: intent.renameTo ?? intent.accountName,
      accountSid: intent.accountSid,
      password,
      backupTime: intent.startedAt,
      expiry: intent.expiry,
      backupDirectory: intent.backupDirectory,
      ...(intent.passwordVersion !== undefined ? { passwordVersion: intent.passwordVersion } : {}),
      ...(intent.ad !== undefined ? { ad: intent.ad } : {}),
      onEvent: (id: number, fields: Readonly<Record<string, EventFieldValue>>) => d.emit(id, { ...fields }),
    };
    await d.directory.backup(req);
    d.emit(intent.backupDirectory === 1 ? 10029 : 10018);
  }

  #escrowFailed(intent: RotationIntent, e: Error): RotationOutcome {
    const hresult = escrowHresult(e);
    if (e instanceof EscrowError) for (const ev of e.events) this.d.emit(ev.id, { ...ev.fields });
    if (intent.backupDirectory === 1) {
      if (e instanceof EscrowError && e.httpStatus !== undefined) {
        this.d.emit(10059, { httpStatus: e.httpStatus, body: e.body ?? '' });
      }
      this.d.emit(10028, { errorCode: hresult });
    } else {
      this.d.emit(10017, { errorCode: hresult });
    }
    this.d.log?.({ stage: 'escrow', errorCode: hresult, reason: safeMessage(e) });
    return { ok: false, stage: 'escrow', intent, error: e, hresult };
  }

  async #finishLocal(intent: RotationIntent, password: Secret, alreadySet = false, result?: CycleResult): Promise<RotationOutcome> {
    const d = this.d;
    const finalName = intent.renameTo ?? intent.accountName;
    try {
      d.faults?.hit('after-escrow');
      if (!alreadySet) {
        // No journal phase for this step: the account's hash is the record (see `recover`).
        const acct = d.accounts.byRid(intent.accountRid);
        if (!acct) throw new Error(`account RID ${intent.accountRid} no longer exists`);
        const set = (): void => d.accounts.setPassword(intent.accountRid, password, intent.startedAt);
        if (acct.name === finalName) set();
        else {
          d.transaction(() => {
            d.accounts.update(intent.accountRid, { name: finalName });
            set();
          });
        }
      }
    } catch (e) {
      if (e instanceof CrashSignal) throw e;
      // The directory holds a password that is not in effect; the previous one is in its
      // history. Mark local state inconsistent so that the next cycle rotates again.
      d.transaction(() => {
        d.journal.clear();
        d.state.save({ ...d.state.load(), localSetFailed: true });
      });
      d.emit(10019, { accountName: finalName, rid: intent.accountRid, errorCode: HRESULT.E_FAIL });
      d.log?.({ stage: 'local', errorCode: HRESULT.E_FAIL, reason: safeMessage(e as Error) });
      return { ok: false, stage: 'local', intent, error: e as Error, hresult: HRESULT.E_FAIL };
    }
    d.emit(10020, { accountName: finalName, rid: intent.accountRid });
    try {
      d.faults?.hit('after-local-set');
      d.faults?.hit('before-commit');
      d.transaction(() => {
        d.state.save(stateAfter(d.state.load(), intent, result));
        d.journal.clear();
      });
    } catch (e) {
      if (e instanceof CrashSignal) throw e;
      // The new password is in effect and escrowed; only the bookkeeping is missing. The journal
      // stays at 'escrowed', and the next cycle's recovery finds the account opening with its
      // password and commits it.
      d.log?.({ stage: 'commit', errorCode: HRESULT.E_FAIL, reason: safeMessage(e as Error) });
      return { ok: false, stage: 'commit', intent, error: e as Error, hresult: HRESULT.E_FAIL };
    }
    return { ok: true, intent };
  }
}

/** An error's message, safe for events (errors never carry passwords). */
function safeMessage(e: Error): string {
  return isLapsError(e) ? e.message : e.message.slice(0, 300);
}

