import { describe, expect, it } from 'vitest';
import { entraGrantOf } from '../../../sim/intune/entra-link.js';
import { allows, entraPermissionsOf, missing, PERMISSIONS as P, permissionsOf, ROLES } from '../../../sim/intune/rbac.js';

describe('roles and permissions', () => {
  it('no built-in role may rotate; the custom LAPS Rotation Operator holds exactly what the docs list', () => {
    const rotators = Object.entries(ROLES).filter(([, perms]) => perms.includes(P.rotate)).map(([name]) => name);
    expect(rotators).toEqual(['LAPS Rotation Operator']);
    expect([...ROLES['LAPS Rotation Operator']!].sort()).toEqual([P.devicesRead, P.organizationRead, P.rotate].sort());
    expect(Object.values(ROLES).some((perms) => perms.includes(P.lapsimAdmin))).toBe(false);
  });

  it('passwords for Cloud Device Administrator and Intune Administrator only; audit for the read-only operator', () => {
    expect(Object.entries(ROLES).filter(([, p]) => p.includes(P.passwordRead)).map(([n]) => n).sort()).toEqual(['Cloud Device Administrator', 'Intune Administrator']);
    expect(ROLES['Read Only Operator']).toContain(P.auditRead);
    expect(ROLES['Read Only Operator']).not.toContain(P.policyCreate);
  });

  it('unions roles and extra permissions, ignoring unknown names', () => {
    const held = permissionsOf(['Read Only Operator'], [P.rotate, 'Microsoft.Intune_Nothing']);
    expect(held).toContain(P.rotate);
    expect(held).not.toContain('Microsoft.Intune_Nothing');
    expect(permissionsOf(['No Such Role'])).toEqual([]);
  });

  it('checks all-of and any-of requirements and names what is missing', () => {
    const need = { allOf: [P.devicesRead, P.rotate], anyOf: [P.passwordRead, P.passwordMetadataRead] };
    expect(allows(new Set([P.devicesRead, P.rotate, P.passwordMetadataRead]), need)).toBe(true);
    expect(allows(new Set([P.devicesRead, P.passwordRead]), need)).toBe(false);
    expect(missing(new Set([P.devicesRead]), need)).toEqual([P.rotate, `one of ${P.passwordRead}, ${P.passwordMetadataRead}`]);
  });

  it('maps Intune permissions to the Entra Graph permissions the mounted emulator checks', () => {
    expect(entraPermissionsOf([P.passwordRead])).toEqual(['DeviceLocalCredential.Read.All', 'DeviceLocalCredential.ReadBasic.All']);
    expect(entraPermissionsOf([P.passwordMetadataRead, P.auditRead])).toEqual(['DeviceLocalCredential.ReadBasic.All', 'AuditLog.Read.All']);
    const principal = { id: 'u', displayName: 'U', userPrincipalName: 'u@contoso.com' };
    expect(entraGrantOf({ kind: 'master', roles: [], permissions: [P.passwordRead], principal }, 't')).toBeUndefined();
    expect(entraGrantOf({ kind: 'admin', roles: ['Help Desk Operator'], permissions: [P.devicesRead], principal }, 't')).toMatchObject({ kind: 'admin', tenantId: 't', permissions: [] });
  });
});
