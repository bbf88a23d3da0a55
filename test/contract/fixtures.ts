import type { DeviceRecord } from '../../store/devices.js';

/** A device row for store tests. */
export function testDevice(deviceId: string, patch: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    deviceId, name: `DESKTOP-${deviceId.toUpperCase()}`, osBuild: '10.0.26100.4349', cspStrict: false, createdAt: 0,
    joinType: 'entra', isDomainController: false, legacyCseInstalled: false, domainSid: 'S-1-5-21-1-2-3', directory: 'local', ...patch,
  };
}
