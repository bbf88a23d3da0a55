/** The emulator's device endpoint over real HTTP: every answer the Device Registration Service gives. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, MARCH_1, startTestEmulator, updateBody, type TestEmulator } from '../helpers/entra.js';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu.server.close();
});

function postPath(deviceId: string, tenantId = emu.server.tenantId): string {
  return `/manage/${tenantId}/lapsdevicepasswordupdate/${deviceId}?api-version=1.0`;
}

async function readBack(deviceId: string): Promise<string[]> {
  const r = await emu.call('GET', `/v1.0/directory/deviceLocalCredentials/${deviceId}?$select=credentials`, ADMIN);
  if (r.status === 404) return [];
  return (r.json['credentials'] as { passwordBase64: string }[]).map((c) => Buffer.from(c.passwordBase64, 'base64').toString('utf8'));
}

describe('POST /manage/{tenantId}/lapsdevicepasswordupdate/{deviceId}', () => {
  it('keeps the password (200) and the last three per device, newest first', async () => {
    const d = await emu.register('PC-FIFO');
    for (let i = 1; i <= 5; i++) {
      const r = await emu.call('POST', postPath(d.deviceId), d.deviceToken, updateBody(`Password-${i}!`, MARCH_1 + i * 1000));
      expect(r.status, r.text).toBe(200);
    }
    expect(await readBack(d.deviceId)).toEqual(['Password-5!', 'Password-4!', 'Password-3!']);
  });

  it('with the tenant switch off: 400 and the documented invalid_request / error_fail body; nothing kept', async () => {
    const d = await emu.register('PC-SWITCH');
    expect((await emu.call('PATCH', '/lapsim/entra/tenants/default', ADMIN, { lapsEnabled: false })).status).toBe(200);
    try {
      const r = await emu.call('POST', postPath(d.deviceId), d.deviceToken, updateBody('Never-kept-1'));
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({
        code: 'invalid_request', subcode: 'error_fail', message: 'Local admin password solution is not enabled for this tenant.',
        operation: 'LapsDevicePasswordUpdate',
      });
      expect(Object.keys(r.json)).toEqual(['code', 'subcode', 'operation', 'requestid', 'time', 'message']);
      expect(r.json['requestid']).toBe(r.headers['request-id']);
      expect(r.json['time']).toBe('03-01-2026 09:00:00Z');
      expect(await readBack(d.deviceId)).toEqual([]);
    } finally {
      await emu.call('PATCH', '/lapsim/entra/tenants/default', ADMIN, { lapsEnabled: true });
    }
    expect((await emu.call('POST', postPath(d.deviceId), d.deviceToken, updateBody('Kept-now-1'))).status).toBe(200);
  });

  it('a disabled device gets 403 authorization_error; enabled again, 200', async () => {
    const d = await emu.register('PC-DISABLED');
    expect((await emu.call('PATCH', `/lapsim/entra/devices/${d.deviceId}`, ADMIN, { accountEnabled: false })).status).toBe(200);
    const r = await emu.call('POST', postPath(d.deviceId), d.deviceToken, updateBody('Nope-1'));
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ code: 'authorization_error', subcode: 'error_authorization_request_denied' });
    await emu.call('PATCH', `/lapsim/entra/devices/${d.deviceId}`, ADMIN, { accountEnabled: true });
    expect((await emu.call('POST', postPath(d.deviceId), d.deviceToken, updateBody('Yes-1'))).status).toBe(200);
  });

  it('a deleted device gets 400 error_missing_device and its passwords are gone for good', async () => {
    const d = await emu.register('PC-DELETED');
    await emu.call('POST', postPath(d.deviceId), d.deviceToken, updateBody('Before-delete-1'));
    expect((await emu.call('DELETE', `/lapsim/entra/devices/${d.deviceId}`, ADMIN)).status).toBe(204);
    const r = await emu.call('POST', postPath(d.deviceId), d.deviceToken, updateBody('After-delete-1'));
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'invalid_request', subcode: 'error_missing_device' });
    expect((await emu.call('GET', `/v1.0/directory/deviceLocalCredentials/${d.deviceId}`, ADMIN)).status).toBe(404);
  });

  it('401 without a credential, with a wrong one, or with another device\'s; nothing kept', async () => {
    const a = await emu.register('PC-A');
    const b = await emu.register('PC-B');
    for (const token of [undefined, 'not-a-token', b.deviceToken, ADMIN]) {
      const r = await emu.call('POST', postPath(a.deviceId), token, updateBody('Stolen-1'));
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ code: 'authorization_error', subcode: 'error_invalid_token' });
    }
    expect((await emu.call('POST', postPath(a.deviceId, '00000000-0000-4000-8000-000000000000'), a.deviceToken, updateBody('x'))).status).toBe(401);
    expect(await readBack(a.deviceId)).toEqual([]);
  });

  it('throttles a device that posts too often: 429 with Retry-After, refused posts not counted, open again after the window', async () => {
    await emu.call('PUT', '/lapsim/entra/throttle', ADMIN, { limit: 2, windowSeconds: 60 });
    try {
      const d = await emu.register('PC-CHATTY');
      const other = await emu.register('PC-QUIET');
      expect((await emu.call('POST', postPath(d.deviceId), d.deviceToken, updateBody('T-1'))).status).toBe(200);
      emu.clock.advance(10_000);
      expect((await emu.call('POST', postPath(d.deviceId), d.deviceToken, updateBody('T-2'))).status).toBe(200);
      const r = await emu.call('POST', postPath(d.deviceId), d.deviceToken, updateBody('T-3'));
      expect(r.status).toBe(429);
      expect(r.headers['retry-after']).toBe('50');
      expect(r.json).toMatchObject({ code: 'throttled', subcode: 'error_too_many_requests' });
      expect((await emu.call('POST', postPath(other.deviceId), other.deviceToken, updateBody('Q-1'))).status).toBe(200);
      emu.clock.advance(49_000);
      expect((await emu.call('POST', postPath(d.deviceId), d.deviceToken, updateBody('T-4'))).headers['retry-after']).toBe('1');
      emu.clock.advance(1_000);
      expect((await emu.call('POST', postPath(d.deviceId), d.deviceToken, updateBody('T-5'))).status).toBe(200);
      expect(await readBack(d.deviceId)).toEqual(['T-5', 'T-2', 'T-1']);
    } finally {
      await emu.call('PUT', '/lapsim/entra/throttle', ADMIN, { limit: 20, windowSeconds: 3600 });
    }
  });

  it('refuses bad input with 4xx JSON and keeps serving', async () => {
    const d = await emu.register('PC-BAD');
    const cases: [unknown, number, string][] = [
      ['{not json', 400, 'error_invalid_body'],
      ['[1,2]', 400, 'error_invalid_body'],
      ['null', 400, 'error_invalid_body'],
      [{ ...updateBody('x'), password: 12 }, 400, 'error_invalid_body'],
      [{ ...updateBody('x'), accountSid: 'not-a-sid' }, 400, 'error_invalid_body'],
      [{ ...updateBody('x'), passwordUpdateTime: 'yesterday' }, 400, 'error_invalid_body'],
      [{ ...updateBody('x'), password: '' }, 400, 'error_invalid_body'],
      [{ ...updateBody('x'), accountName: 'a'.repeat(300) }, 400, 'error_invalid_body'],
      [JSON.stringify(updateBody('x'.repeat(70_000))), 413, 'error_request_too_large'],
    ];
    for (const [body, status, subcode] of cases) {
      const r = await emu.call('POST', postPath(d.deviceId), d.deviceToken, body);
      expect(r.status, String(body).slice(0, 40)).toBe(status);
      expect(r.json).toMatchObject({ code: 'invalid_request', subcode });
      expect(r.text).not.toContain('x'.repeat(50));
    }
    const secret = { ...updateBody('Sekrit-Value-9'), accountSid: 42 };
    expect((await emu.call('POST', postPath(d.deviceId), d.deviceToken, secret)).text).not.toContain('Sekrit-Value-9');
    expect((await emu.call('POST', `/manage/${emu.server.tenantId}/lapsdevicepasswordupdate/${d.deviceId}`, d.deviceToken, updateBody('x'))).status).toBe(400);
    expect((await emu.call('GET', postPath(d.deviceId), d.deviceToken)).status).toBe(405);
    expect((await emu.call('POST', '/manage/%E0%A4%A/lapsdevicepasswordupdate/x?api-version=1.0', d.deviceToken, updateBody('x'))).status).toBe(404);
    expect((await emu.call('GET', '/nothing-here', ADMIN)).status).toBe(404);
    expect(await readBack(d.deviceId)).toEqual([]);
    expect((await emu.call('POST', postPath(d.deviceId), d.deviceToken, updateBody('Fine-1'))).status).toBe(200);
  });
});
