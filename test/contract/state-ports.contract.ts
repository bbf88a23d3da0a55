/**
 * Contract suites of the device's state ports. Every implementation (memory, SQLite in memory,
 * SQLite on a file) runs the same suite.
 */
import { describe, expect, it } from 'vitest';
import { Secret } from '../../core/secret.js';
import type { ActivityLog, EventLog, LapsStateStore, PolicyRootStore, RotationIntent, RotationJournal } from '../../agent/ports.js';

export interface StatePorts {
  state: LapsStateStore;
  journal: RotationJournal;
  events: EventLog;
  activity: ActivityLog;
  roots: PolicyRootStore;
  /** A second device's ports in the same store (isolation). */
  other: { state: LapsStateStore; journal: RotationJournal; events: EventLog };
}

export const sampleIntent: RotationIntent = {
  rotationId: 'r-1', accountRid: 500, accountName: 'Administrator', accountSid: 'S-1-5-21-1-2-3-500', reasons: 0x10,
  trigger: 'background', startedAt: 1_772_323_200_000, expiry: 1_774_915_200_000, backupDirectory: 1, policySource: 'CSP',
};

export function statePortsContract(name: string, make: () => StatePorts): void {
  describe(`state ports contract: ${name}`, () => {
    it('LAPS state starts empty and round-trips', () => {
      const p = make();
      expect(p.state.load()).toEqual({});
      const s = { lastPasswordUpdateTime: 5, passwordExpiry: 10, lastAccountRid: 500, lastPolicySource: 'CSP' as const, postAuth: { authTime: 1, deadline: 2, rid: 500, sid: 'S-1-5-21-1-2-3-500', actions: 3, retries: 0 } };
      p.state.save(s);
      expect(p.state.load()).toEqual(s);
      expect(p.other.state.load()).toEqual({});
    });

    it('the journal holds one rotation with its password and phase', () => {
      const p = make();
      expect(p.journal.current()).toBeUndefined();
      p.journal.begin(sampleIntent, new Secret('Pa$$w0rd-journal'));
      let e = p.journal.current();
      expect(e?.intent).toEqual(sampleIntent);
      expect(e?.phase).toBe('intent');
      expect(e?.password.reveal()).toBe('Pa$$w0rd-journal');
      p.journal.advance('escrowed');
      e = p.journal.current();
      expect(e?.phase).toBe('escrowed');
      expect(p.other.journal.current()).toBeUndefined();
      expect(() => p.journal.begin(sampleIntent, new Secret('again'))).toThrow();
      p.journal.clear();
      expect(p.journal.current()).toBeUndefined();
    });

    it('events are kept in order and filtered by time', () => {
      const p = make();
      p.events.append({ id: 10003, level: 'Information', time: 100, message: 'start', fields: {} });
      p.events.append({ id: 10013, level: 'Error', time: 200, message: 'missing', fields: { accountName: 'x', n: 1, ok: true } });
      expect(p.events.list().map((e) => e.id)).toEqual([10003, 10013]);
      expect(p.events.list({ since: 150 })).toEqual([{ id: 10013, level: 'Error', time: 200, message: 'missing', fields: { accountName: 'x', n: 1, ok: true } }]);
      expect(p.events.list({ limit: 1 }).length).toBe(1);
      expect(p.other.events.list()).toEqual([]);
    });

    it('activity is appended and listed', () => {
      const p = make();
      p.activity.append({ time: 1, kind: 'reboot', detail: 'd' });
      expect(p.activity.list()).toEqual([{ time: 1, kind: 'reboot', detail: 'd' }]);
    });

    it('policy roots are set, merged per root and cleared', () => {
      const p = make();
      p.roots.set('gpo', { BackupDirectory: '1', PasswordAgeDays: '20' });
      p.roots.set('gpo', { PasswordAgeDays: '25' });
      p.roots.set('legacy', { AdmPwdEnabled: '1' });
      const r = p.roots.load();
      expect(r.gpo).toEqual({ BackupDirectory: '1', PasswordAgeDays: '25' });
      expect(r.legacy).toEqual({ AdmPwdEnabled: '1' });
      expect(r.local).toEqual({});
      p.roots.clear('gpo');
      expect(p.roots.load().gpo).toEqual({});
      expect(p.roots.load().legacy).toEqual({ AdmPwdEnabled: '1' });
    });
  });
}
