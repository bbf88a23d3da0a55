/**
 * Fault points of the rotation engine, for tests and the fleet simulator: a fault either fails
 * the rotation at that point (an error the engine handles) or crashes the device there (a
 * CrashSignal that unwinds everything, as a killed process would; the journal is resolved on
 * restart).
 */
import { LapsError } from '../../core/errors.js';

export const FAULT_POINTS = ['before-escrow', 'after-escrow', 'after-local-set', 'before-commit'] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];
export type FaultMode = 'fail' | 'crash';

export interface Fault {
  readonly point: FaultPoint;
  readonly mode: FaultMode;
  /** How many times it fires (default once). */
  readonly times?: number;
}

/** The device "died" here: nothing after this point ran. Never caught by the engine. */
export class CrashSignal extends LapsError {
  constructor(readonly point: FaultPoint) {
    super('LAPS_ERR_INJECTED_FAULT', `simulated crash at ${point}`);
  }
}

/** A fault that fails the operation at this point. */
export class InjectedFailure extends LapsError {
  constructor(readonly point: FaultPoint) {
    super('LAPS_ERR_INJECTED_FAULT', `injected failure at ${point}`);
  }
}

/** Holds the armed faults of one device. */
export class FaultInjector {
  readonly #armed: { point: FaultPoint; mode: FaultMode; left: number }[] = [];

  arm(fault: Fault): void {
    this.#armed.push({ point: fault.point, mode: fault.mode, left: fault.times ?? 1 });
  }

  clear(): void {
    this.#armed.length = 0;
  }

  get armed(): number {
    return this.#armed.length;
  }

  /** Called by the engine at each point; throws when a fault is armed there. */
  hit(point: FaultPoint): void {
    const i = this.#armed.findIndex((f) => f.point === point);
    if (i < 0) return;
    const f = this.#armed[i]!;
    if (--f.left <= 0) this.#armed.splice(i, 1);
    throw f.mode === 'crash' ? new CrashSignal(point) : new InjectedFailure(point);
  }
}

export function isFaultPoint(s: string): s is FaultPoint {
  return (FAULT_POINTS as readonly string[]).includes(s);
}
