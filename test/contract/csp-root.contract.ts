/**
 * The CspRoot contract: every implementation (memory, SQLite on :memory: and on a file) runs
 * these cases through `cspRootContract`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type CspRoot, E_PENDING, INITIAL_RESET_STATE } from '../../csp/csp-root.js';

/** Makes roots for named devices; `dispose` frees what the factory opened. */
export interface CspRootFactory {
  rootFor(device: string): CspRoot;
  dispose(): void;
}

export function cspRootContract(name: string, makeFactory: () => CspRootFactory): void {
  describe(`CspRoot contract: ${name}`, () => {
    let factory: CspRootFactory | undefined;
    const make = (): CspRootFactory => (factory = makeFactory());
    afterEach(() => factory?.dispose());

    it('starts empty, with ResetPasswordStatus 0 and nothing pending', () => {
      const s = make().rootFor('a').load();
      expect([...s.values]).toEqual([]);
      expect(s.reset).toEqual(INITIAL_RESET_STATE);
    });

    it('stores, overwrites and deletes values; deleting an absent value is a no-op', () => {
      const root = make().rootFor('a');
      root.commit({ values: new Map([['PasswordAgeDays', '30'], ['BackupDirectory', '1'], ['ADPasswordEncryptionEnabled', 'true']]) });
      root.commit({ values: new Map<string, string | null>([['PasswordAgeDays', '7'], ['BackupDirectory', null], ['PasswordLength', null]]) });
      expect(Object.fromEntries(root.load().values)).toEqual({ PasswordAgeDays: '7', ADPasswordEncryptionEnabled: 'true' });
    });

    it('keeps text exactly: unicode, markup characters, empty strings and 64 KiB values', () => {
      const root = make().rootFor('a');
      const big = 'x'.repeat(64 * 1024);
      root.commit({ values: new Map([['AdministratorAccountName', 'Ädmin <&> \u20AC \uD83D\uDE00'], ['ADPasswordEncryptionPrincipal', ''], ['AutomaticAccountManagementNameOrPrefix', big]]) });
      const v = root.load().values;
      expect(v.get('AdministratorAccountName')).toBe('Ädmin <&> \u20AC \uD83D\uDE00');
      expect(v.get('ADPasswordEncryptionPrincipal')).toBe('');
      expect(v.get('AutomaticAccountManagementNameOrPrefix')).toBe(big);
    });

    it('stores the reset state, including a negative HRESULT and its request time', () => {
      const root = make().rootFor('a');
      root.commit({ reset: { status: E_PENDING, pending: true, requestedAt: 1_772_323_200_000 } });
      expect(root.load().reset).toEqual({ status: -2147483638, pending: true, requestedAt: 1_772_323_200_000 });
      root.commit({ reset: { status: 0, pending: false, requestedAt: 1_772_323_200_000 } });
      expect(root.load().reset).toEqual({ status: 0, pending: false, requestedAt: 1_772_323_200_000 });
    });

    it('applies values and reset state of one change set together', () => {
      const root = make().rootFor('a');
      root.commit({ values: new Map([['PasswordLength', '20']]), reset: { status: E_PENDING, pending: true, requestedAt: 5 } });
      const s = root.load();
      expect(Object.fromEntries(s.values)).toEqual({ PasswordLength: '20' });
      expect(s.reset.pending).toBe(true);
    });

    it('an empty change set changes nothing', () => {
      const root = make().rootFor('a');
      root.commit({ values: new Map([['PasswordLength', '20']]) });
      root.commit({});
      root.commit({ values: new Map() });
      expect(Object.fromEntries(root.load().values)).toEqual({ PasswordLength: '20' });
      expect(root.load().reset).toEqual(INITIAL_RESET_STATE);
    });

    it('a loaded snapshot does not change when the root does', () => {
      const root = make().rootFor('a');
      root.commit({ values: new Map([['PasswordLength', '20']]) });
      const before = root.load();
      root.commit({ values: new Map<string, string | null>([['PasswordLength', '21'], ['PasswordAgeDays', '7']]), reset: { status: 1, pending: false, requestedAt: 2 } });
      expect(Object.fromEntries(before.values)).toEqual({ PasswordLength: '20' });
      expect(before.reset).toEqual(INITIAL_RESET_STATE);
    });

    it('keeps each device to itself', () => {
      const f = make();
      const a = f.rootFor('a');
      const b = f.rootFor('b');
      a.commit({ values: new Map([['PasswordLength', '20']]), reset: { status: E_PENDING, pending: true, requestedAt: 1 } });
      b.commit({ values: new Map([['PasswordLength', '30']]) });
      expect(Object.fromEntries(a.load().values)).toEqual({ PasswordLength: '20' });
      expect(Object.fromEntries(b.load().values)).toEqual({ PasswordLength: '30' });
      expect(b.load().reset).toEqual(INITIAL_RESET_STATE);
    });

    it('a second handle on the same device sees committed changes', () => {
      const f = make();
      f.rootFor('a').commit({ values: new Map([['PasswordLength', '20']]) });
      expect(Object.fromEntries(f.rootFor('a').load().values)).toEqual({ PasswordLength: '20' });
    });
  });
}
