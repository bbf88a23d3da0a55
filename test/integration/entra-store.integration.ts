import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Secret } from '../../core/secret.js';
import { openDatabase } from '../../store/database.js';
import { SecretBox } from '../../store/secret-box.js';
import { ENTRA_MIGRATIONS } from '../../sim/entra/entra-schema.js';
import { EntraStore } from '../../sim/entra/entra-store.js';

const dir = mkdtempSync(join(tmpdir(), 'lapsim-entra-store-'));
const box = new SecretBox(new Uint8Array(32).fill(9));
let n = 0;
const TENANT = { tenantId: 't-1', displayName: 'T', domain: 't.onmicrosoft.com', lapsEnabled: true, isDefault: true, createdAt: 0 };

describe('Entra emulator store', () => {
  it('migration 2 keeps the audit log in order and the newest three passwords per device', () => {
    const path = join(dir, `e${n++}.db`);
    const v1 = openDatabase(path, { migrations: ENTRA_MIGRATIONS.filter((m) => m.version < 2) });
    v1.prepare("INSERT INTO entra_tenants (tenant_id, display_name, domain, laps_enabled, is_default, created_at) VALUES ('t-1', 'T', 't', 1, 1, 0)").run();
    v1.prepare(`INSERT INTO entra_devices (device_id, tenant_id, object_id, display_name, join_type, os_version, enabled, registered_at)
      VALUES ('d-1', 't-1', 'o-1', 'PC1', 'entra', '10.0', 1, 0)`).run();
    const putCred = v1.prepare('INSERT INTO entra_credentials (device_id, seq, account_name, account_sid, sealed_password, backup_time) VALUES (?, ?, ?, ?, ?, ?)');
    for (let seq = 1; seq <= 4; seq++) putCred.run('d-1', seq, 'Administrator', 'S-1-5-21-1-2-3-500', box.seal(new Secret(`p${seq}`), 'entra:d-1'), seq);
    const putAudit = v1.prepare('INSERT INTO entra_audits (id, tenant_id, activity_time, entry) VALUES (?, ?, ?, ?)');
    for (let i = 1; i <= 3; i++) putAudit.run(`Directory_${i}`, 't-1', i, JSON.stringify({ id: `Directory_${i}` }));
    v1.close();

    const store = new EntraStore(openDatabase(path, { migrations: ENTRA_MIGRATIONS }), box);
    expect(store.credentials('d-1').map((c) => c.password.reveal())).toEqual(['p4', 'p3', 'p2']);
    expect(store.audits('t-1').map((a) => a.id)).toEqual(['Directory_3', 'Directory_2', 'Directory_1']);
    store.addCredential('d-1', { accountName: 'Administrator', accountSid: 'S-1-5-21-1-2-3-500', password: new Secret('p5'), backupTime: 5 }, 50, 'PC1');
    expect(store.credentials('d-1').map((c) => c.password.reveal())).toEqual(['p5', 'p4', 'p3']);
    expect(store.device('d-1')).toMatchObject({ lastBackupAt: 5, refreshAt: 50 });
  });

  it('serves grants and tenants from memory until this store or another process changes them', () => {
    const path = join(dir, `e${n++}.db`);
    const store = new EntraStore(openDatabase(path, { migrations: ENTRA_MIGRATIONS }), box);
    store.createTenant(TENANT);
    const grant = { kind: 'admin' as const, tenantId: 't-1', deviceId: undefined, permissions: ['AuditLog.Read.All'], principal: { type: 'app' as const, id: 'a', displayName: 'A' } };
    store.putToken('tok', grant, 0);
    expect(store.grant('tok')).toEqual(grant);
    expect(store.grant('tok')).toBe(store.grant('tok'));
    expect(store.tenant('T-1')?.lapsEnabled).toBe(true);
    store.setLapsEnabled('t-1', false);
    expect(store.tenant('t-1')?.lapsEnabled).toBe(false);
    store.putToken('tok', { ...grant, permissions: [] }, 0);
    expect(store.grant('tok')?.permissions).toEqual([]);

    // Another process (a `lapsim entra` command) writes the same file.
    const other = new Database(path);
    other.prepare("UPDATE entra_tenants SET laps_enabled = 1 WHERE tenant_id = 't-1'").run();
    other.prepare("UPDATE entra_tokens SET permissions = '[\"x\"]'").run();
    other.close();
    expect(store.tenant('t-1')?.lapsEnabled).toBe(true);
    expect(store.grant('tok')?.permissions).toEqual(['x']);
    expect(store.grant('nope')).toBeUndefined();
  });
});
