/**
 * The admin web pages over real HTTP without a browser (test/helpers/web-harness.ts): sign-in and
 * sign-out, the same RBAC as the API for every page and action (expected outcomes taken from the
 * API's own answers for the same token, plus hand-written cases), the Local admin password pane
 * (audited reveal, metadata-only roles, never Active Directory), CSRF and origin checks on every
 * POST, escaping of names from devices, policies and requests, the policy reports with the
 * conflicting profiles, a rotation followed on the device page's live stream, and the fleet
 * event intake and its reporter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LapsEvent } from '../../agent/ports.js';
import { RECOVER_ACTIVITY } from '../../sim/entra/graph-format.js';
import { FleetEventReporter } from '../../sim/intune/web/fleet-event-reporter.js';
import { utcText } from '../../sim/intune/web/html.js';
import { choice, entraPolicy, int, policyBody } from '../helpers/intune-policies.js';
import { WEB_ADMIN, WebClient, WebHarness } from '../helpers/web-harness.js';

type Device = Awaited<ReturnType<WebHarness['register']>>;

let h: WebHarness;
let a: Device, b: Device, c: Device, ad: Device, none: Device;
let base = '', rival = '';

async function group(name: string, members: Device[]): Promise<string> {
  const id = (await h.api('POST', '/v1.0/groups', { displayName: name, mailEnabled: false, mailNickname: name.replace(/\W/g, ''), securityEnabled: true })).json['id'] as string;
  for (const m of members) await h.api('POST', `/v1.0/groups/${id}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/devices/${m.objectId}` });
  return id;
}

async function policy(body: Record<string, unknown>, groupId: string): Promise<string> {
  const id = (await h.api('POST', '/beta/deviceManagement/configurationPolicies', body)).json['id'] as string;
  await h.api('POST', `/beta/deviceManagement/configurationPolicies/${id}/assign`, { assignments: [{ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId } }] });
  return id;
}

function sessions(...devices: Device[]): void {
  for (const d of devices) h.devices.session(d.deviceId);
}

async function audits(): Promise<{ intune: string[]; entra: string[] }> {
  const intune = ((await h.api('GET', '/beta/deviceManagement/auditEvents')).json['value'] as { activity: string }[]).map((e) => e.activity);
  const entra = h.entra.store.audits(h.entra.store.defaultTenant()!.tenantId).map((e) => e.activityDisplayName);
  return { intune, entra };
}

async function client(token: string): Promise<WebClient> {
  const w = new WebClient(h.url);
  await w.signIn(token);
  return w;
}

beforeAll(async () => {
  h = await WebHarness.start();
  [a, b, c, ad, none] = [await h.register('PC-WEB-A'), await h.register('PC-WEB-B'), await h.register('PC-WEB-C', 'hybrid'), await h.register('PC-WEB-AD', 'hybrid'), await h.register('PC-WEB-NONE')];
  base = await policy(entraPolicy('Base', { length: 16, ageDays: 30 }), await group('All LAPS', [a, b, c]));
  sessions(a, b, c);
  for (const [d, pw] of [[a, 'Pw-A-1111111111'], [b, 'Pw-B-2222222222'], [c, 'Pw-C-3333333333'], [ad, 'Pw-AD-old-entra']] as const) await h.backup(d, pw);
  rival = await policy(entraPolicy('Rival', { length: 24 }), await group('Rival devices', [c]));
  await policy(policyBody('AD', [choice('backupdirectory', '2', [int('passwordagedays', 10)])]), await group('AD devices', [ad]));
  sessions(c, ad);
});

afterAll(async () => {
  await h.close();
});

describe('sign-in and sign-out', () => {
  it('sends visitors to the sign-in page, refuses a wrong token, and signs in under a new HttpOnly SameSite=Strict cookie', async () => {
    const w = new WebClient(h.url);
    expect((await w.get('/ui/devices?q=x')).headers.get('location')).toBe('/ui/login?next=%2Fui%2Fdevices%3Fq%3Dx');
    expect((await w.get('/ui/overview.json')).status).toBe(401);
    expect((await w.get('/')).headers.get('location')).toBe('/ui/');
    const form = await w.page('/ui/login?next=%2Fui%2Fdevices');
    expect(form.headers.get('set-cookie')).toMatch(/^lapsim_ui=[\w-]{43}; Path=\/ui; HttpOnly; SameSite=Strict; Max-Age=3600$/);
    const anonymous = w.cookies.get('lapsim_ui');
    const wrong = await w.post('/ui/login', { token: 'not-a-token', next: '/ui/devices' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('This token is not valid on this server.');
    const ok = await w.post('/ui/login', { token: WEB_ADMIN, next: '/ui/devices' });
    expect([ok.status, ok.headers.get('location')]).toEqual([303, '/ui/devices']);
    expect(ok.headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Strict; Max-Age=86400$/);
    expect(w.cookies.get('lapsim_ui')).not.toBe(anonymous);
    expect((await w.page('/ui/devices')).status).toBe(200);
    expect((await w.post('/ui/logout', { _csrf: 'forged' })).status).toBe(403);
    const out = await w.post('/ui/logout');
    expect([out.status, out.headers.get('location')]).toEqual([303, '/ui/login']);
    expect((await w.get('/ui/devices')).status).toBe(303);
  });

  it('refuses a sign-in form without the anonymous session\'s CSRF token', async () => {
    const w = new WebClient(h.url);
    await w.page('/ui/login');
    const r = await w.post('/ui/login', { token: WEB_ADMIN, _csrf: 'x' });
    expect(r.status).toBe(403);
    expect((await new WebClient(h.url).request('POST', '/ui/login', `token=${WEB_ADMIN}`)).status).toBe(403);
  });
});

describe('RBAC: the pages and the API answer the same token the same way', () => {
  const ROLES: string[][] = [['Intune Administrator'], ['Endpoint Security Manager'], ['Read Only Operator'], ['Help Desk Operator'],
    ['Cloud Device Administrator'], ['LAPS Rotation Operator'], ['Intune Administrator', 'LAPS Rotation Operator']];

  it('allows a page or an action exactly when the API allows each route it stands for', async () => {
    const cases: { web: [string, string]; api: [string, string][] }[] = [
      { web: ['GET', '/ui/'], api: [['GET', '/lapsim/intune/reports/lapsDevices']] },
      { web: ['GET', '/ui/overview.json'], api: [['GET', '/lapsim/intune/reports/lapsDevices']] },
      { web: ['GET', '/ui/devices'], api: [['GET', '/beta/deviceManagement/managedDevices']] },
      { web: ['GET', `/ui/devices/${a.managedDeviceId}`], api: [['GET', `/beta/deviceManagement/managedDevices/${a.managedDeviceId}`]] },
      {
        web: ['POST', `/ui/devices/${a.managedDeviceId}/password`],
        api: [['GET', `/beta/deviceManagement/managedDevices/${a.managedDeviceId}`], ['GET', `/lapsim/intune/managedDevices/${a.managedDeviceId}/localAdminPassword/reveal`]],
      },
      {
        web: ['POST', `/ui/devices/${none.managedDeviceId}/rotate`],
        api: [['GET', `/beta/deviceManagement/managedDevices/${none.managedDeviceId}`], ['POST', `/beta/deviceManagement/managedDevices/${none.managedDeviceId}/rotateLocalAdminPassword`]],
      },
      { web: ['GET', '/ui/policies'], api: [['GET', '/beta/deviceManagement/configurationPolicies']] },
      { web: ['GET', `/ui/policies/${rival}`], api: [['GET', `/beta/deviceManagement/configurationPolicies/${rival}`], ['GET', `/lapsim/intune/reports/policies/${rival}/deviceStatus`]] },
      {
        web: ['GET', `/ui/policies/${rival}/devices/${c.managedDeviceId}`],
        api: [['GET', `/beta/deviceManagement/configurationPolicies/${rival}`], ['GET', `/lapsim/intune/reports/devices/${c.managedDeviceId}/settings`]],
      },
    ];
    const seen = new Set<string>();
    for (const roles of ROLES) {
      const token = await h.token(roles);
      const w = await client(token);
      for (const k of cases) {
        let allowed = true;
        for (const [method, path] of k.api) {
          const r = await h.api(method, path, undefined, token);
          expect(r.status, `${roles.join('+')} ${method} ${path}`).not.toBe(401);
          if (r.status === 403) allowed = false;
        }
        const r = k.web[0] === 'GET' ? await w.get(k.web[1], { accept: 'text/html' }) : await w.post(k.web[1], {}, { accept: 'application/json' });
        expect(r.status === 403 ? 'refused' : 'allowed', `${roles.join('+')} ${k.web.join(' ')} answered ${r.status}`).toBe(allowed ? 'allowed' : 'refused');
        if (!allowed) expect(r.text).toMatch(/needs|Missing/);
        seen.add(`${k.web[1]}:${allowed}`);
      }
    }
    for (const k of cases) expect([seen.has(`${k.web[1]}:true`), seen.has(`${k.web[1]}:false`)], k.web[1]).toEqual([true, true]);
  });

  it('by hand: the read-only operator reads devices but no password and cannot rotate; the rotation role can; the navigation shows only what a role may open', async () => {
    const ro = await client(await h.token(['Read Only Operator']));
    const page = await ro.page(`/ui/devices/${a.managedDeviceId}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(' data-show>');
    expect(page.text).not.toContain('Rotate local admin password</a>');
    expect(page.text).not.toContain('WLapsAdmin');
    expect(page.text).toContain('Your role cannot view the local admin password');
    expect((await ro.post(`/ui/devices/${a.managedDeviceId}/password`, {}, { accept: 'application/json' })).status).toBe(403);
    expect((await ro.post(`/ui/devices/${a.managedDeviceId}/rotate`)).status).toBe(403);
    const lro = await client(await h.token(['LAPS Rotation Operator']));
    const mine = await lro.page(`/ui/devices/${a.managedDeviceId}`);
    expect(mine.text).toContain('data-dialog="rotate-dialog"');
    expect(mine.text).not.toContain('href="/ui/policies"');
    const cda = await client(await h.token(['Cloud Device Administrator']));
    expect((await cda.get(`/ui/devices/${a.managedDeviceId}`)).status).toBe(403);
  });
});

describe('the Local admin password pane', () => {
  it('shows the details, reveals the password on request only, and audits each reveal in Intune and Entra as the API does', async () => {
    const w = await client(await h.token(['Intune Administrator'], []));
    const before = await audits();
    const page = await w.page(`/ui/devices/${a.managedDeviceId}`);
    expect(page.text).toContain('WLapsAdmin');
    expect(page.text).toContain('S-1-5-21-1004336348-1177238915-682003330-1004');
    expect(page.text).toContain(' data-show>');
    expect(page.text).not.toContain('Pw-A-1111111111');
    expect(await audits()).toEqual(before);
    const r = await w.post(`/ui/devices/${a.managedDeviceId}/password`, {}, { accept: 'application/json', 'user-agent': 'web-test' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ accountName: 'WLapsAdmin', password: 'Pw-A-1111111111' });
    expect(r.headers.get('cache-control')).toBe('no-store');
    const after = await audits();
    expect(after.intune.slice(before.intune.length)).toEqual(['Read local admin password ManagedDevice']);
    expect(after.entra.length - before.entra.length).toBe(1);
    expect(after.entra[0]).toBe(RECOVER_ACTIVITY);
    const noScript = await w.post(`/ui/devices/${a.managedDeviceId}/password`);
    expect(noScript.text).toMatch(/data-secret>Pw-A-1111111111</);
    expect((await audits()).intune.length).toBe(after.intune.length + 1);
  });

  it('gives a metadata-only role the account and times but not the password', async () => {
    const w = await client(await h.token(['Read Only Operator'], ['microsoft.directory/deviceLocalCredentials/standard/read']));
    const page = await w.page(`/ui/devices/${a.managedDeviceId}`);
    expect(page.text).toContain('WLapsAdmin');
    expect(page.text).toContain('can see the password\'s details but not the password');
    expect(page.text).not.toContain(' data-show>');
    expect((await w.post(`/ui/devices/${a.managedDeviceId}/password`, {}, { accept: 'application/json' })).status).toBe(403);
  });

  it('never shows a password for a device that backs up to Active Directory, even one it once sent to Entra', async () => {
    const w = await client(WEB_ADMIN);
    const page = await w.page(`/ui/devices/${ad.managedDeviceId}`);
    expect(page.text).toContain('backs up its password to Active Directory');
    expect(page.text).not.toContain(' data-show>');
    const before = await audits();
    const r = await w.post(`/ui/devices/${ad.managedDeviceId}/password`, {}, { accept: 'application/json' });
    expect(r.status).toBe(404);
    expect(r.text).not.toContain('Pw-AD-old-entra');
    expect(await audits()).toEqual(before);
  });
});

describe('forged requests', () => {
  it('refuses a POST without the session\'s CSRF token, with another session\'s, from another origin, or without a session; the real form works', async () => {
    const w = await client(WEB_ADMIN);
    const other = await client(WEB_ADMIN);
    const path = `/ui/devices/${b.managedDeviceId}/rotate`;
    const actions = (): number => h.service.actions.actionResults(h.service.directory.device(b.managedDeviceId)).length;
    const refused = [
      await w.request('POST', path, ''), await w.post(path, { _csrf: 'x'.repeat(43) }), await w.post(path, { _csrf: other.csrf }),
      await w.post(path, {}, { origin: 'http://evil.example' }), await w.post(path, {}, { 'sec-fetch-site': 'cross-site' }),
      await new WebClient(h.url).request('POST', path, `_csrf=${w.csrf}`),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(actions()).toBe(0);
    const ok = await w.post(path, {}, { origin: h.url });
    expect([ok.status, ok.headers.get('location')]).toEqual([303, `/ui/devices/${b.managedDeviceId}?notice=rotate-requested`]);
    expect(actions()).toBe(1);
    expect((await w.get(ok.headers.get('location')!)).text).toMatch(/data-state="pending">Pending</);
    expect((await w.post(path)).headers.get('location')).toContain('notice=rotate-already-pending');
  });

  it('sends the security headers on every page', async () => {
    const w = await client(WEB_ADMIN);
    const r = await w.get('/ui/devices');
    expect(r.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/);
    expect([r.headers.get('x-frame-options'), r.headers.get('x-content-type-options'), r.headers.get('cache-control')]).toEqual(['DENY', 'nosniff', 'no-store']);
    expect(r.text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
  });
});

describe('escaping', () => {
  it('prints names from devices, policies, groups and the request as text', async () => {
    const evil = '<img src=x onerror=alert(1)>"\'';
    const d = await h.register(evil);
    const p = await policy(entraPolicy(`<script>alert(2)</script>`, { length: 20 }), await group(`<b>grp</b>`, [d]));
    const w = await client(WEB_ADMIN);
    const pages = [await w.get(`/ui/devices?q=${encodeURIComponent('<img')}`), await w.get(`/ui/devices/${d.managedDeviceId}`), await w.get('/ui/policies'),
      await w.get(`/ui/policies/${p}`), await w.get(`/ui/devices?q=${encodeURIComponent('"><script>alert(3)</script>')}`)];
    for (const r of pages) {
      expect(r.status).toBe(200);
      expect(r.text).not.toMatch(/<img src=x|<script>alert|<b>grp/);
    }
    expect(pages[0]!.text).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;');
    expect(pages[3]!.text).toContain('&lt;b&gt;grp&lt;/b&gt;');
    expect(pages[4]!.text).toContain('value="&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"');
  });
});

describe('policy reports', () => {
  it('shows the conflict on the policy page and names the source profiles with their values on the drill-down', async () => {
    const w = await client(WEB_ADMIN);
    const page = await w.get(`/ui/policies/${rival}`);
    expect(page.text).toMatch(/<tr data-device="PC-WEB-C">[\s\S]*?Conflict/);
    expect(page.text).toContain('data-targeted="1"');
    expect(page.text).toMatch(/data-setting="device_vendor_msft_laps_policies_passwordlength"><td>Password Length<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">1<\/td>/);
    const basePage = await w.get(`/ui/policies/${base}?status=conflict`);
    expect(basePage.text).toContain('data-device="PC-WEB-C"');
    expect(basePage.text).not.toContain('data-device="PC-WEB-A"');
    const drill = await w.get(`/ui/policies/${rival}/devices/${c.managedDeviceId}`);
    expect(drill.text).toMatch(/data-setting="PasswordLength">[\s\S]*?Conflict[\s\S]*?Conflict<\/b> between the source profiles/);
    expect(drill.text).toMatch(/>Base<\/a>: 16<\/li><li><a [^>]*>Rival<\/a>: 24<\/li>/);
    expect(drill.text).toMatch(/data-setting="PasswordLength">[\s\S]*?<td class="opt">16<\/td>/);
    expect((await w.get('/ui/policies/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await w.get('/ui/devices/nope')).status).toBe(404);
    expect((await w.get('/ui/nothing-here')).status).toBe(404);
    expect((await w.request('PUT', '/ui/devices', '')).status).toBe(405);
  });
});

describe('live device page', () => {
  it('streams the rotation from Pending to Complete as the device checks in, on the server clock', async () => {
    const w = await client(WEB_ADMIN);
    const ac = new AbortController();
    const r = await fetch(`${h.url}/ui/live?topic=device&id=${a.managedDeviceId}`, { headers: { cookie: w.cookieHeader }, signal: ac.signal });
    expect(r.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = r.body!.getReader();
    let buffer = '';
    const nextUpdate = async (): Promise<Record<string, { key: string; html: string }>> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^event: update\ndata: (.*)$/m.exec(block);
          if (data) return (JSON.parse(data[1]!) as { fragments: Record<string, { key: string; html: string }> }).fragments;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += new TextDecoder().decode(value);
      }
    };
    const seen: Record<string, string> = {};
    /** Reads updates until `done` holds for the fragments seen so far (each fragment's newest markup). */
    const until = async (done: (f: Record<string, string>) => boolean): Promise<Record<string, string>> => {
      for (let i = 0; i < 200 && !done(seen); i++) for (const [k, v] of Object.entries(await nextUpdate())) seen[k] = v.html;
      return seen;
    };
    const first = await nextUpdate();
    expect(Object.keys(first).sort()).toEqual(['device-actions', 'device-banner', 'device-config', 'device-overview', 'password']);
    expect(first['device-actions']!.html).toContain('No device action yet');
    await w.page(`/ui/devices/${a.managedDeviceId}`);
    expect((await w.post(`/ui/devices/${a.managedDeviceId}/rotate`)).status).toBe(303);
    h.clock.advance(1000);
    const pending = await nextUpdate();
    expect(pending['device-actions']!.html).toContain('data-state="pending">Pending');
    expect(pending['device-banner']!.html).toContain('Rotate local admin password: Pending.');
    expect(pending['password']).toBeUndefined();
    sessions(a);
    h.clock.advance(60_000);
    await h.backup(a, 'Pw-A-rotated-999');
    const backedUpAt = utcText(h.clock.now());
    sessions(a);
    h.clock.advance(1000);
    const done = await until((f) => (f['device-actions'] ?? '').includes('data-state="done"'));
    expect(done['device-actions']).toContain('data-state="done">Complete');
    expect(done['device-banner']).not.toContain('Pending');
    expect(done['password']).toContain(backedUpAt);
    ac.abort();
    await reader.cancel().catch(() => undefined);
  });
});

describe('fleet events intake', () => {
  it('takes events with the master token only and charts the failures on the overview', async () => {
    const post = (token: string | null, body: unknown, method = 'POST'): Promise<Response> => fetch(`${h.url}/lapsim/fleet/events`, {
      method, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' }, ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
    });
    const events = { events: [{ deviceId: a.deviceId, id: 10028, level: 'Error', time: h.clock.now() }, { deviceId: a.deviceId, id: 10004, level: 'Information', time: h.clock.now() }] };
    expect((await post(null, events)).status).toBe(401);
    expect((await post(await h.token(['Intune Administrator']), events)).status).toBe(403);
    expect((await post(WEB_ADMIN, { events: 'no' })).status).toBe(400);
    expect((await post(WEB_ADMIN, undefined, 'GET')).status).toBe(405);
    const ok = await post(WEB_ADMIN, events);
    expect([ok.status, await ok.json()]).toEqual([202, { accepted: 2 }]);
    const w = await client(WEB_ADMIN);
    const overview = JSON.parse((await w.get('/ui/overview.json')).text) as { failuresByEvent: unknown; eventsReported: number; devices: number };
    expect(overview).toMatchObject({ failuresByEvent: [{ id: 10028, count: 1 }], eventsReported: 2 });
    expect((await w.get('/ui/')).text).toContain('Event 10028');
  });
});

describe('fleet event reporter', () => {
  it('sends each event once, in batches of the intake\'s limit, follows logs that are drained, and retries what the server refused', async () => {
    const event = (id: number, level: 'Error' | 'Information' = 'Error'): LapsEvent => ({ id, level, time: h.clock.now(), message: '', fields: {} });
    const one = { deviceId: a.deviceId, log: { events: [event(10017), event(10004, 'Information')] } };
    const two = { deviceId: b.deviceId, log: { events: Array.from({ length: 1500 }, () => event(10013)) } };
    const before = h.web.events.total;
    const reporter = new FleetEventReporter({ server: h.url, adminToken: WEB_ADMIN, devices: [one, two] });
    expect(await reporter.flush()).toBe(1502);
    expect(await reporter.flush()).toBe(0);
    one.log.events.splice(0);
    one.log.events.push(event(10017));
    two.log.events.push(event(10013));
    expect(await reporter.flush()).toBe(2);
    expect(h.web.events.total - before).toBe(1504);
    const refused = new FleetEventReporter({ server: h.url, adminToken: 'not-the-admin', devices: [one] });
    expect([await refused.flush(), await refused.flush(), refused.failures]).toEqual([0, 0, 2]);
  });
});
