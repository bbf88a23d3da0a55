/**
 * One device's work, one piece at a time, in arrival order: the CSP messages of a management
 * session and the processing cycles. A CSP commit replaces the stored reset state while a cycle
 * writes ResetPasswordStatus there, and a cycle awaits its directory between transactions, so
 * the two must never interleave.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  /** Pieces of work queued or running. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Runs `fn` after everything queued before it has settled; resolves or rejects as `fn` does. A
   * failing piece does not stop the ones after it.
   */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    this.#pending++;
    const result = this.#tail.then(fn);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tail = settled;
    void settled.then(() => {
      this.#pending--;
    });
    return result;
  }

  /** Resolves when everything queued so far has settled. */
  async idle(): Promise<void> {
    while (this.#pending > 0) await this.#tail;
  }
}
