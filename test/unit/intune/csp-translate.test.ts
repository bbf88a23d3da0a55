import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { CspProcessor } from '../../../csp/processor.js';
import { MemoryCspRoot } from '../../../csp/memory-csp-root.js';
import { parseSyncml, serializeSyncml } from '../../../csp/syncml/codec.js';
import type { BodyElement, ItemCommand, SyncMessage } from '../../../csp/syncml/types.js';
import type { LocUri } from '../../../core/ids.js';
import { cmdIdCounter, nodeOnBuild, policyCommands, policyCspSettings, policyCspValues } from '../../../sim/intune/csp-translate.js';
import { importPolicy } from '../../../sim/intune/policy-import.js';
import type { SettingNode } from '../../../sim/intune/policy-types.js';
import { fixture } from '../../helpers/intune-policies.js';

function settingsOf(name: string): readonly SettingNode[] {
  const r = importPolicy(fixture(name), 'create');
  if (!r.ok) throw new Error('fixture refused');
  return r.content.settings!;
}

function message(body: readonly BodyElement[]): SyncMessage {
  return {
    header: { verDtd: '1.2', verProto: 'DM/1.2', sessionId: '1', msgId: '2', target: { locUri: 'dev' as LocUri }, source: { locUri: 'srv' as LocUri } },
    body, final: true,
  };
}

describe('policy settings to LAPS CSP values', () => {
  it('maps the Entra export to the nodes Microsoft documents, options by their suffix', () => {
    expect(Object.fromEntries(policyCspValues(settingsOf('laps-entra-export.json')))).toEqual({
      BackupDirectory: 1, PasswordAgeDays: 30, AdministratorAccountName: 'ContosoLocalLapsAdmin', PasswordComplexity: 4, PasswordLength: 20,
      PostAuthenticationActions: 3, PostAuthenticationResetDelay: 8,
    });
  });

  it('maps the 24H2 settings: passphrases, action 11 and automatic account management (booleans)', () => {
    expect(Object.fromEntries(policyCspValues(settingsOf('laps-24h2-export.json')))).toEqual({
      BackupDirectory: 1, PasswordComplexity: 8, PassphraseLength: 4, PasswordLength: 21, PostAuthenticationActions: 11, PostAuthenticationResetDelay: 1,
      AutomaticAccountManagementEnabled: true, AutomaticAccountManagementTarget: 1, AutomaticAccountManagementNameOrPrefix: '',
      AutomaticAccountManagementEnableAccount: true, AutomaticAccountManagementRandomizeName: true,
    });
  });

  it('sends passwordagedays (AD) to the same PasswordAgeDays node, and keeps where each value came from', () => {
    const s = policyCspSettings(settingsOf('laps-ad-post.json'));
    expect(s.find((x) => x.node === 'PasswordAgeDays')).toEqual({ node: 'PasswordAgeDays', value: 14, definitionId: 'device_vendor_msft_laps_policies_passwordagedays' });
    expect(Object.fromEntries(s.map((x) => [x.node, x.value]))).toEqual({
      BackupDirectory: 2, PasswordAgeDays: 14, PasswordExpirationProtectionEnabled: true, ADPasswordEncryptionEnabled: true,
      ADPasswordEncryptionPrincipal: 'CONTOSO\\LAPS Readers', ADEncryptedPasswordHistorySize: 6, PasswordLength: 20,
    });
  });
});

describe('CSP values to SyncML commands', () => {
  it('puts every desired value in one Atomic of Replaces, BackupDirectory first, with the node formats', () => {
    const desired = new Map<string, string | number | boolean>([['PasswordLength', 20], ['AutomaticAccountManagementEnabled', true], ['BackupDirectory', 1], ['AdministratorAccountName', 'a&b']]);
    const { body, sent } = policyCommands(desired, new Map(), cmdIdCounter(10));
    expect(body).toHaveLength(1);
    const atomic = body[0]!;
    expect(atomic.kind).toBe('Atomic');
    const children = (atomic as unknown as { children: ItemCommand[] }).children;
    expect(children.map((c) => [c.kind, c.cmdId, c.items[0]!.target!.locUri, c.items[0]!.meta!.format, c.items[0]!.data])).toEqual([
      ['Replace', '11', './Device/Vendor/MSFT/LAPS/Policies/BackupDirectory', 'int', '1'],
      ['Replace', '12', './Device/Vendor/MSFT/LAPS/Policies/PasswordLength', 'int', '20'],
      ['Replace', '13', './Device/Vendor/MSFT/LAPS/Policies/AdministratorAccountName', 'chr', 'a&b'],
      ['Replace', '14', './Device/Vendor/MSFT/LAPS/Policies/AutomaticAccountManagementEnabled', 'bool', 'true'],
    ]);
    expect(sent.map((s) => `${s.cmdId}:${s.op}:${s.node ?? ''}`)).toEqual(['10:Atomic:', '11:Replace:BackupDirectory', '12:Replace:PasswordLength',
      '13:Replace:AdministratorAccountName', '14:Replace:AutomaticAccountManagementEnabled']);
    expect(serializeSyncml(message(body))).toContain('<Data>a&amp;b</Data>');
  });

  it('deletes the nodes applied before and no longer desired, after the Atomic; only Deletes when nothing is desired', () => {
    const applied = new Map<string, string | number | boolean>([['BackupDirectory', 1], ['PasswordLength', 20], ['AdministratorAccountName', 'x']]);
    const some = policyCommands(new Map([['BackupDirectory', 1]]), applied, cmdIdCounter(1));
    expect(some.body.map((e) => e.kind)).toEqual(['Atomic', 'Delete', 'Delete']);
    expect(some.sent.filter((s) => s.op === 'Delete').map((s) => s.node)).toEqual(['PasswordLength', 'AdministratorAccountName']);
    const none = policyCommands(new Map(), applied, cmdIdCounter(1));
    expect(none.body.map((e) => e.kind)).toEqual(['Delete', 'Delete', 'Delete']);
    expect(policyCommands(new Map(), new Map(), cmdIdCounter(1)).body).toEqual([]);
  });

  it('produces SyncML that the device\'s CSP processor applies whole, and removes again', () => {
    const root = new MemoryCspRoot();
    const processor = new CspProcessor({ clock: new ManualClock() });
    const device = { root, osBuild: '10.0.26100.4349', strict: true };
    const values = policyCspValues(settingsOf('laps-24h2-export.json'));
    const apply = policyCommands(values, new Map(), cmdIdCounter(1));
    const r1 = processor.process(serializeSyncml(message(apply.body)), device);
    const codes = r1.reply.body.filter((e) => e.kind === 'Status' && e.cmd !== 'SyncHdr').map((e) => (e as { data: string }).data);
    expect(codes).toHaveLength(values.size + 1);
    expect(new Set(codes)).toEqual(new Set(['200']));
    expect(Object.fromEntries(root.load().values)).toEqual(Object.fromEntries([...values].map(([k, v]) => [k, String(v)])));
    const remove = policyCommands(new Map(), values, cmdIdCounter(100));
    const r2 = processor.process(parseSyncml(serializeSyncml(message(remove.body))), device);
    expect(r2.reply.body.filter((e) => e.kind === 'Status' && e.cmd === 'Delete').map((e) => (e as { data: string }).data)).toEqual(Array(values.size).fill('200'));
    expect(root.load().values.size).toBe(0);
  });

  it('knows which nodes an OS build has: CSP 1.1 nodes from 26100, nothing without the LAPS CSP', () => {
    expect(nodeOnBuild('PassphraseLength', '10.0.22631.4317')).toBe(false);
    expect(nodeOnBuild('PassphraseLength', '10.0.26100.1')).toBe(true);
    expect(nodeOnBuild('PasswordLength', '10.0.22631.4317')).toBe(true);
    expect(nodeOnBuild('PasswordLength', '10.0.19045.2000')).toBe(false);
    expect(nodeOnBuild('NoSuchNode', '10.0.26100.1')).toBe(false);
  });
});
