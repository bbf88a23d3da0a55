import { describe, expect, it } from 'vitest';
import { resolveLocUri } from '../../../csp/handler.js';
import { hasLapsCsp, LAPS_NODES, lapsNode, nodeExistsOnBuild, parseOsBuild } from '../../../csp/laps/nodes.js';
import { SETTINGS } from '../../../csp/laps/settings.js';

describe('the LAPS node table', () => {
  it('holds the root, Policies with the 17 CSP settings, and Actions with its two nodes', () => {
    expect(LAPS_NODES.map((n) => n.path)).toEqual([
      '', 'Policies',
      ...SETTINGS.filter((s) => s.inCsp).map((s) => `Policies/${s.name}`),
      'Actions', 'Actions/ResetPassword', 'Actions/ResetPasswordStatus',
    ]);
    expect(LAPS_NODES.filter((n) => n.path.startsWith('Policies/'))).toHaveLength(17);
    expect(lapsNode('Policies/ADBackupDSRMPassword')).toBeUndefined();
  });

  it('declares access, format and occurrence per the DDF', () => {
    const access = (path: string): string[] => [...lapsNode(path)!.access].sort();
    for (const path of ['', 'Policies', 'Actions']) {
      expect([path, access(path), lapsNode(path)!.format]).toEqual([path, ['Get'], 'node']);
    }
    for (const n of LAPS_NODES.filter((x) => x.path.startsWith('Policies/'))) {
      expect([n.path, access(n.path), n.occurrence, n.mimeType]).toEqual([n.path, ['Add', 'Delete', 'Get', 'Replace'], 'ZeroOrOne', 'text/plain']);
    }
    expect([access('Actions/ResetPassword'), lapsNode('Actions/ResetPassword')!.format]).toEqual([['Exec'], 'null']);
    expect([access('Actions/ResetPasswordStatus'), lapsNode('Actions/ResetPasswordStatus')!.format, lapsNode('Actions/ResetPasswordStatus')!.default]).toEqual([['Get'], 'int', 0]);
  });

  it('copies format, default, allowed values, applicability and CSP version from the settings', () => {
    for (const s of SETTINGS.filter((x) => x.inCsp)) {
      const n = lapsNode(`Policies/${s.name}`)!;
      expect([n.format, n.default, n.allowed, n.appliesTo, n.cspVersion]).toEqual([s.format, s.default, s.allowed, s.appliesTo, s.cspVersion]);
      expect(n.behaviour.kind).toBe('setting');
    }
    expect(LAPS_NODES.filter((n) => n.cspVersion === '1.1').map((n) => n.name)).toEqual([
      'PassphraseLength', 'AutomaticAccountManagementEnabled', 'AutomaticAccountManagementTarget', 'AutomaticAccountManagementNameOrPrefix',
      'AutomaticAccountManagementEnableAccount', 'AutomaticAccountManagementRandomizeName',
    ]);
    const age = lapsNode('Policies/PasswordAgeDays')!.behaviour;
    expect(age.kind === 'setting' ? age.allowedDependsOn : undefined).toBe('BackupDirectory');
  });

  it('lists only children that are in the table', () => {
    for (const n of LAPS_NODES) for (const c of n.children) expect(lapsNode(n.path === '' ? c : `${n.path}/${c}`)).toBeDefined();
  });
});

describe('OS builds', () => {
  it('parses versions with and without a revision', () => {
    expect(parseOsBuild('10.0.26100.4349')).toEqual({ build: 26100, revision: 4349 });
    expect(parseOsBuild('10.0.22631')).toEqual({ build: 22631, revision: undefined });
    expect(parseOsBuild('26100')).toBeUndefined();
    expect(parseOsBuild('10.0.x.1')).toBeUndefined();
  });

  it('has the LAPS CSP from the documented revision of each family on', () => {
    const cases: [string, boolean][] = [
      ['10.0.17763.4243', false], ['10.0.17763.4244', true], ['10.0.19041.2783', false], ['10.0.19041.2784', true], ['10.0.19045.2846', true],
      ['10.0.19045.2728', false], ['10.0.20348.1662', false], ['10.0.20348.1663', true], ['10.0.22000.1753', false], ['10.0.22000.1754', true],
      ['10.0.22621.1479', false], ['10.0.22621.1480', true], ['10.0.22631.4317', true], ['10.0.25144.1000', false], ['10.0.25145.1', true],
      ['10.0.26100.1', true], ['10.0.27000.1', true], ['10.0.18363.2274', false], ['10.0.22000', true], ['garbage', false],
    ];
    for (const [b, want] of cases) expect([b, hasLapsCsp(b)]).toEqual([b, want]);
  });

  it('CSP 1.1 nodes exist from build 26100', () => {
    const pass = lapsNode('Policies/PassphraseLength')!;
    expect(nodeExistsOnBuild(pass, '10.0.25145.1')).toBe(false);
    expect(nodeExistsOnBuild(pass, '10.0.26100.1')).toBe(true);
    expect(nodeExistsOnBuild(lapsNode('Policies/PasswordLength')!, '10.0.19045.2846')).toBe(true);
  });
});

describe('resolveLocUri', () => {
  it('canonicalises device-scoped and relative URIs', () => {
    expect(resolveLocUri('./Device/Vendor/MSFT/LAPS')).toEqual({ ok: true, canonical: './Device/Vendor/MSFT/LAPS' });
    expect(resolveLocUri('./Vendor/MSFT/LAPS/Policies')).toEqual({ ok: true, canonical: './Device/Vendor/MSFT/LAPS/Policies' });
    expect(resolveLocUri('Vendor/MSFT/LAPS')).toEqual({ ok: true, canonical: './Device/Vendor/MSFT/LAPS' });
    expect(resolveLocUri('./User/Vendor/MSFT/LAPS')).toEqual({ ok: true, canonical: './User/Vendor/MSFT/LAPS' });
    expect(resolveLocUri('./DevInfo/DevId')).toEqual({ ok: true, canonical: './DevInfo/DevId' });
  });

  it('refuses malformed URIs with 400 and queries with 406', () => {
    for (const u of ['', '/Device/Vendor', './Device//Vendor', './Device/Vendor/', './Device/../Vendor', './Device/./Vendor']) expect([u, resolveLocUri(u)]).toEqual([u, { ok: false, status: 400 }]);
    expect(resolveLocUri('./Device/Vendor/MSFT/LAPS?list=Struct')).toEqual({ ok: false, status: 406 });
  });
});
