import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EscrowError, LapsError, StoreError, UsageError } from '../../../core/errors.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^\| `(LAPS_ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);

describe('error codes', () => {
  it('every code in core/errors.ts is documented in docs/errors.md', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(documented, code).toContain(code);
  });
  it('every documented code exists', () => {
    for (const code of documented) expect(Object.keys(ERROR_CODES), code).toContain(code);
  });
  it('errors share one root class and keep their codes', () => {
    const errs = [new UsageError('x'), new StoreError('LAPS_ERR_STORE_FOREIGN', 'y'), new EscrowError('LAPS_ERR_ESCROW', 'z', { retryable: true })];
    for (const e of errs) expect(e).toBeInstanceOf(LapsError);
    expect(errs.map((e) => e.code)).toEqual(['LAPS_ERR_INVALID_ARGUMENT', 'LAPS_ERR_STORE_FOREIGN', 'LAPS_ERR_ESCROW']);
  });
});
