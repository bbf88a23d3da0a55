/**
 * Actions/ResetPassword requests as the device layer sees them: a pending flag written by the
 * CSP processor, and ResetPasswordStatus (the last HRESULT, signed 32-bit) written back here.
 */
export interface ResetRequests {
  /** True when an Exec of Actions/ResetPassword waits to be performed. */
  pending(): boolean;
  /** Records a request (CLI `lapsim rotate`, Reset-LapsPassword). Status reads E_PENDING. */
  request(at: number): void;
  /** Completes the pending request with an HRESULT (0 success). */
  complete(hresult: number): void;
  /** ResetPasswordStatus as the CSP returns it. */
  status(): number;
}

/** E_PENDING (0x8000000A) as a signed 32-bit integer. */
export const E_PENDING_SIGNED = -2147483638;

/** An HRESULT as the signed 32-bit integer the CSP's int node carries. */
export function signedHresult(hresult: number): number {
  return hresult | 0;
}

export class MemoryResetRequests implements ResetRequests {
  #pending = false;
  #status = 0;
  pending(): boolean {
    return this.#pending;
  }
  request(): void {
    this.#pending = true;
    this.#status = E_PENDING_SIGNED;
  }
  complete(hresult: number): void {
    this.#pending = false;
    this.#status = signedHresult(hresult);
  }
  status(): number {
    return this.#status;
  }
}
