/**
 * The pages on 10,000 managed devices: the device list answers one page (SQL LIMIT/OFFSET, the
 * page's rows read fresh), search and filters select across the whole fleet, the status filter
 * and the policy and overview pages use one snapshot of the fleet; each answer stays well under a
 * second on this kind of machine (the bound asserted is looser, for slow CI runners).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PRINCIPAL } from '../../sim/intune/intune-service.js';
import { entraPolicy } from '../helpers/intune-policies.js';
import { WebClient, WebHarness, WEB_ADMIN } from '../helpers/web-harness.js';

const DEVICES = 10_000;
let h: WebHarness;
let w: WebClient;
let policyId = '';

async function timed(path: string): Promise<{ ms: number; text: string; status: number }> {
  const t = performance.now();
  const r = await w.get(path);
  return { ms: performance.now() - t, text: r.text, status: r.status };
}

beforeAll(async () => {
  h = await WebHarness.start();
  h.db.transaction(() => {
    for (let i = 0; i < DEVICES; i++) {
      const n = String(i).padStart(5, '0');
      h.db.directory.putDevice({
        managedDeviceId: `00000000-0000-4000-8000-0000000${n}`, deviceId: `10000000-0000-4000-8000-0000000${n}`, objectId: `20000000-0000-4000-8000-0000000${n}`,
        deviceName: `PC-${n}`, joinType: i % 4 === 0 ? 'hybrid' : 'entra', osVersion: '10.0.26100.4349', enrolledAt: h.clock.now(),
        primaryUserId: undefined, signedInUserId: undefined, lastSignInAt: undefined, lastSyncAt: undefined,
      }, `token-${n}`);
    }
  });
  policyId = (await h.api('POST', '/beta/deviceManagement/configurationPolicies', entraPolicy('Fleet', { length: 16 }))).json['id'] as string;
  h.service.policies.assign(policyId, [{ kind: 'allDevices', filterId: null, filterType: 'none' }],
    { principal: ADMIN_PRINCIPAL, permissions: [], ipAddress: null });
  w = new WebClient(h.url);
  await w.signIn(WEB_ADMIN);
}, 120_000);

afterAll(async () => {
  await h.close();
});

describe('10,000 devices', () => {
  it('pages, searches and filters the device list quickly', async () => {
    await timed('/ui/devices');
    const first = await timed('/ui/devices');
    expect(first.text).toContain(`data-total="${DEVICES}"`);
    expect(first.text.match(/<tr data-device=/g)).toHaveLength(50);
    expect(first.text).toContain('page 1 of 200');
    const last = await timed('/ui/devices?page=200');
    expect(last.text.match(/<tr data-device="([^"]+)"/g)?.at(-1)).toBe('<tr data-device="PC-09999"');
    const search = await timed('/ui/devices?q=pc-0999');
    expect(search.text).toContain('data-total="10"');
    const hybrid = await timed('/ui/devices?join=hybrid&page=2');
    expect(hybrid.text).toContain(`data-total="${DEVICES / 4}"`);
    expect(hybrid.text).toContain('<tr data-device="PC-00200"');
    const pending = await timed('/ui/devices?status=pending&q=PC-05');
    expect(pending.text).toContain('data-total="1000"');
    expect(pending.text).toContain('Statuses as of');
    for (const r of [first, last, search, hybrid]) expect(r.ms).toBeLessThan(1_000);
    expect(pending.ms).toBeLessThan(5_000);
  });

  it('reports a policy on every device and the overview with one snapshot', async () => {
    const policy = await timed(`/ui/policies/${policyId}?status=pending&page=3`);
    expect(policy.status).toBe(200);
    expect(policy.text).toContain(`data-targeted="${DEVICES}"`);
    expect(policy.text.match(/<tr data-device=/g)).toHaveLength(50);
    expect(policy.text).toContain('<tr data-device="PC-00100"');
    const overview = JSON.parse((await timed('/ui/overview.json')).text) as { devices: number; byStatus: Record<string, number> };
    expect([overview.devices, overview.byStatus['pending']]).toEqual([DEVICES, DEVICES]);
    const page = await timed('/ui/');
    expect(page.text).toContain(`aria-label="Devices by LAPS status: Succeeded 0, Error 0, Conflict 0, Pending 10,000`);
    expect(policy.ms).toBeLessThan(5_000);
    expect(page.ms).toBeLessThan(5_000);
  });
});
