import { describe, expect, it } from 'vitest';
import { sharedPolicy, sharedPolicyDump } from '../../../agent/policy/shared-policy.js';
import { resolvePolicy } from '../../../agent/policy/resolve-policy.js';
import type { DeviceFacts, PolicyRootValues } from '../../../agent/policy/types.js';

const facts: DeviceFacts = { osBuild: '10.0.26100.4349', joinType: 'entra', isDomainController: false, legacyCseInstalled: false };
const roots = (csp: Record<string, string>): PolicyRootValues => ({ csp, gpo: {}, local: {}, legacy: {} });

describe('policies shared between devices', () => {
  it('gives devices with the same roots, facts and options the same frozen policy, equal to resolvePolicy', () => {
    const a = sharedPolicy(roots({ BackupDirectory: '1', PasswordAgeDays: '30' }), facts);
    const b = sharedPolicy(roots({ BackupDirectory: '1', PasswordAgeDays: '30' }), { ...facts });
    expect(b).toBe(a);
    expect(a).toEqual(resolvePolicy(roots({ BackupDirectory: '1', PasswordAgeDays: '30' }), facts));
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.warnings)).toBe(true);
    expect(() => (a as { passwordAgeDays: number }).passwordAgeDays = 1).toThrow(TypeError);
    expect(sharedPolicyDump(a)).toBe(sharedPolicyDump(b));
  });

  it('tells apart roots, device facts and options', () => {
    const base = sharedPolicy(roots({ BackupDirectory: '1', PasswordAgeDays: '3' }), facts);
    expect(base.passwordAgeDays).toBe(7);
    expect(sharedPolicy(roots({ BackupDirectory: '1', PasswordAgeDays: '3' }), facts, { entraMinAgeMode: 'default' }).passwordAgeDays).toBe(30);
    expect(sharedPolicy(roots({ BackupDirectory: '1', PasswordAgeDays: '31' }), facts).passwordAgeDays).toBe(31);
    const dc = sharedPolicy(roots({ BackupDirectory: '1', PasswordAgeDays: '3' }), { ...facts, isDomainController: true });
    expect(dc).not.toBe(base);
    expect(dc.managed).toBe(false);
    expect(sharedPolicy({ csp: {}, gpo: { BackupDirectory: '1', PasswordAgeDays: '3' }, local: {}, legacy: {} }, facts).source).toBe('GPO');
  });
});
