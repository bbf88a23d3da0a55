import { describe, expect, it } from 'vitest';
import { Secret } from '../../../core/secret.js';
import { MemoryAccountDatabase } from '../../../agent/accounts/memory-account-database.js';
import { seedBuiltinAccounts } from '../../../agent/accounts/builtin.js';
import { checkLogon, ERROR_ACCOUNT_DISABLED, ERROR_LOGON_FAILURE } from '../../../agent/accounts/logon.js';

function device(): MemoryAccountDatabase {
  const db = new MemoryAccountDatabase();
  seedBuiltinAccounts(db);
  db.setPassword(500, new Secret('Disabled-But-Set-1'), 1);
  const u = db.create({ name: 'Helpdesk', enabled: true, admin: true });
  db.setPassword(u.rid, new Secret('Helpdesk-Pw-1'), 1);
  return db;
}

describe('local logon', () => {
  it('opens an enabled account with its password, whatever the case of the name', () => {
    const r = checkLogon(device(), 'HELPDESK', new Secret('Helpdesk-Pw-1'));
    expect(r).toMatchObject({ ok: true, account: { rid: 1000, name: 'Helpdesk' } });
  });

  it('answers an unknown name and a wrong password alike', () => {
    const db = device();
    expect(checkLogon(db, 'Nobody', new Secret('x'))).toMatchObject({ ok: false, reason: 'unknown-account', win32Error: ERROR_LOGON_FAILURE });
    expect(checkLogon(db, 'Helpdesk', new Secret('helpdesk-pw-1'))).toMatchObject({ ok: false, reason: 'wrong-password', win32Error: ERROR_LOGON_FAILURE });
    expect(checkLogon(db, 'Guest', new Secret(''))).toMatchObject({ ok: false, reason: 'wrong-password' });
  });

  it('reports a disabled account only when the password is right', () => {
    const db = device();
    expect(checkLogon(db, 'Administrator', new Secret('Disabled-But-Set-1'))).toMatchObject({ ok: false, reason: 'account-disabled', win32Error: ERROR_ACCOUNT_DISABLED });
    expect(checkLogon(db, 'Administrator', new Secret('wrong'))).toMatchObject({ ok: false, reason: 'wrong-password' });
  });
});
