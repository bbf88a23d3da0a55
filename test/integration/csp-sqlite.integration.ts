/**
 * The CSP processor on the SQLite root in a file: every golden fixture answers exactly as with the
 * in-memory root, and a failed Atomic leaves the rows of the file as they were.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../core/clock.js';
import type { ResetState } from '../../csp/csp-root.js';
import { CspProcessor } from '../../csp/processor.js';
import { serializeSyncml } from '../../csp/syncml/codec.js';
import { applyCspMessage } from '../../store/csp-apply.js';
import { openDatabase } from '../../store/database.js';
import { updateDevice } from '../../store/devices.js';
import { SqliteCspRoots } from '../../store/sqlite-csp-root.js';
import { deviceIdFor, ensureDevice } from '../contract/csp-root-sqlite.js';

const FIXTURES = new URL('../fixtures/syncml/', import.meta.url);
const NOW = Date.UTC(2026, 2, 1);
const dir = mkdtempSync(join(tmpdir(), 'lapsim-csp-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Directive { osBuild?: string; strict?: boolean; msgId?: string; values?: Record<string, string>; reset?: ResetState }

describe('CSP processor on a SQLite file', () => {
  it('answers every golden fixture exactly as the in-memory root does', () => {
    const db = openDatabase(join(dir, 'golden.db'));
    const roots = new SqliteCspRoots(db);
    const processor = new CspProcessor({ clock: new FixedClock(NOW) });
    const payloads = readdirSync(FIXTURES).filter((f) => f.endsWith('.xml') && !f.endsWith('.expected.xml')).sort();
    expect(payloads.length).toBeGreaterThanOrEqual(30);
    payloads.forEach((file, i) => {
      const text = readFileSync(new URL(file, FIXTURES), 'utf8');
      const m = /<!--\s*fixture:\s*(\{[\s\S]*?\})\s*-->/.exec(text);
      const d = (m ? JSON.parse(m[1]!) : {}) as Directive;
      const id = deviceIdFor(String(i + 1));
      ensureDevice(db, id);
      updateDevice(db, id, { osBuild: d.osBuild ?? '10.0.26100.4349', cspStrict: d.strict ?? false });
      roots.forDevice(id).commit({ values: new Map(Object.entries(d.values ?? {})), ...(d.reset ? { reset: d.reset } : {}) });
      const result = applyCspMessage(db, id, text, { processor, roots, ...(d.msgId ? { msgId: d.msgId } : {}) });
      const expected = readFileSync(new URL(file.replace('.xml', '.expected.xml'), FIXTURES), 'utf8');
      expect([file, serializeSyncml(result.reply, { indent: 2 })]).toEqual([file, expected]);
    });
    db.close();
  });

  it('a failed Atomic leaves the rows of the file as they were; a good one writes them in one commit', () => {
    const path = join(dir, 'atomic.db');
    let db = openDatabase(path);
    const id = deviceIdFor('a');
    ensureDevice(db, id);
    const L = './Device/Vendor/MSFT/LAPS/Policies';
    const rep = (cmdId: number, name: string, data: string): string =>
      `<Replace><CmdID>${cmdId}</CmdID><Item><Target><LocURI>${L}/${name}</LocURI></Target><Data>${data}</Data></Item></Replace>`;
    const msg = (body: string): string => '<SyncML><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID></SyncHdr>' +
      `<SyncBody>${body}<Final/></SyncBody></SyncML>`;
    const processor = new CspProcessor({ clock: new FixedClock(NOW) });
    const rows = (): unknown => db.prepare('SELECT name, value FROM csp_values WHERE device_id = ? ORDER BY name').all(id);
    const ok = applyCspMessage(db, id, msg(`<Atomic><CmdID>1</CmdID>${rep(2, 'BackupDirectory', '2')}${rep(3, 'PasswordAgeDays', '20')}</Atomic>`), { processor });
    expect(ok.changed).toBe(true);
    db.close();
    db = openDatabase(path);
    const before = rows();
    expect(before).toEqual([{ name: 'BackupDirectory', value: '2' }, { name: 'PasswordAgeDays', value: '20' }]);
    const bad = applyCspMessage(db, id, msg(`<Atomic><CmdID>1</CmdID>${rep(2, 'BackupDirectory', '1')}${rep(3, 'PasswordLength', '14')}${rep(4, 'PasswordAgeDays', 'x')}</Atomic>`), { processor });
    expect(bad.changed).toBe(false);
    expect(bad.replyText).toContain('<CmdRef>1</CmdRef><Cmd>Atomic</Cmd><Data>507</Data>');
    expect(rows()).toEqual(before);
    db.close();
  });
});
