/**
 * The CSP root port: where a device keeps what the LAPS CSP wrote (the values under
 * HKLM\Software\Microsoft\Policies\LAPS, and the Actions state). The processor loads one snapshot
 * per message and commits one change set after the whole message was processed; an
 * implementation applies a change set all or nothing.
 */

/** HRESULT E_PENDING (0x8000000A) as signed 32-bit decimal: a reset is running. */
export const E_PENDING = -2147483638;

/** Actions/ResetPassword and Actions/ResetPasswordStatus state. */
export interface ResetState {
  /** HRESULT of the last reset as signed 32-bit decimal (0 = S_OK, also before any reset). */
  readonly status: number;
  /** True from an Exec on ResetPassword until the device layer records the outcome. */
  readonly pending: boolean;
  /** Epoch ms of the last Exec on ResetPassword; null before any. */
  readonly requestedAt: number | null;
}

/** The initial reset state of a device. */
export const INITIAL_RESET_STATE: ResetState = { status: 0, pending: false, requestedAt: null };

/** What a device's CSP root holds at one moment. Never changes after it was loaded. */
export interface CspRootSnapshot {
  /** Policies values by value name (e.g. `PasswordAgeDays`), in canonical text (bools `true`/`false`). */
  readonly values: ReadonlyMap<string, string>;
  readonly reset: ResetState;
}

/** Changes to apply together. */
export interface CspChangeSet {
  /** Value name to its new canonical text, or null to delete it (deleting an absent value is a no-op). */
  readonly values?: ReadonlyMap<string, string | null>;
  /** The new reset state, replacing the stored one. */
  readonly reset?: ResetState;
}

/** One device's CSP root. */
export interface CspRoot {
  /** The stored values and reset state. */
  load(): CspRootSnapshot;
  /** Applies every change of the set, or none (one transaction). */
  commit(change: CspChangeSet): void;
}
