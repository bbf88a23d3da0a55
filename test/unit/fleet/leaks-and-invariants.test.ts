/** The leak watch, the fleet log that withholds a leaking line, and breach episodes. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { FleetLog } from '../../../sim/fleet/fleet-log.js';
import { InvariantBook } from '../../../sim/fleet/invariants.js';
import { findPasswords, LeakWatch } from '../../../sim/fleet/leak-watch.js';

const PASSWORD = 'q7#Vd2!mKp9x@Lw';

describe('LeakWatch', () => {
  it('finds the operation\'s passwords in its texts, then forgets both', () => {
    const w = new LeakWatch();
    w.remember(PASSWORD, 'dev-1');
    w.text('log', '{"msg":"rotated"}');
    w.text('event 10020', `The password was ${PASSWORD}.`);
    const leaks = w.settle();
    expect(leaks).toEqual([{ where: 'event 10020', deviceId: 'dev-1', text: `The password was ${PASSWORD}.` }]);
    w.text('log', PASSWORD);
    expect(w.settle()).toEqual([]);
  });

  it('searches large texts for any of many passwords', () => {
    const set = new Set([PASSWORD, 'another-secret-1', 'Short8ch']);
    const text = 'x'.repeat(100_000);
    expect(findPasswords(text, set)).toBe(false);
    expect(findPasswords(`${text}Short8ch`, set)).toBe(true);
    expect(findPasswords(`a${PASSWORD}b`, set)).toBe(true);
    expect(findPasswords(text, new Set())).toBe(false);
  });
});

describe('FleetLog', () => {
  it('writes JSON lines at or above its level, and a placeholder for a line that held a password', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lapsim-fleetlog-'));
    const watch = new LeakWatch();
    const log = new FleetLog(join(dir, 'fleet.log'), 'info', new ManualClock(1000), watch);
    const l = log.logger({ shard: 0 }).child({ deviceId: 'd' });
    l.debug({}, 'not written');
    l.info({ n: 1 }, 'kept');
    l.warn({ detail: `oops ${PASSWORD}` }, 'leaked');
    watch.remember(PASSWORD, 'd');
    const leaks = watch.settle();
    log.release(new Set(leaks.map((x) => x.text)));
    log.close();
    const lines = readFileSync(join(dir, 'fleet.log'), 'utf8').trim().split('\n').map((x) => JSON.parse(x) as Record<string, unknown>);
    expect(lines).toEqual([
      { level: 30, time: 1000, shard: 0, deviceId: 'd', n: 1, msg: 'kept' },
      { level: 50, msg: '[a line that held a password was withheld by the fleet leak watch]' },
    ]);
    expect(readFileSync(join(dir, 'fleet.log'), 'utf8')).not.toContain(PASSWORD);
  });
});

describe('InvariantBook', () => {
  it('reports a device once per episode and counts every check', () => {
    const b = new InvariantBook(2);
    const d = { index: 1, deviceId: 'id-1', name: 'FLEET-000001' };
    expect(b.check('expiry', true, d, 0, () => 'x')).toBe(true);
    expect(b.check('expiry', false, d, 1000, () => 'late')).toBe(false);
    b.check('expiry', false, d, 2000, () => 'still late');
    expect(b.isOpen('expiry', 1)).toBe(true);
    b.check('expiry', true, d, 3000, () => '');
    b.check('expiry', false, d, 4000, () => 'late again');
    b.check('password-opens', false, undefined, 5000, () => 'fleet-wide');
    expect(b.checks.expiry).toBe(5);
    expect(b.breachCount).toEqual({ 'password-opens': 1, expiry: 2, conflicts: 0, 'no-password-leak': 0 });
    expect(b.breaches.map((x) => [x.invariant, x.time, x.deviceName, x.detail])).toEqual([
      ['expiry', '1970-01-01T00:00:01.000Z', 'FLEET-000001', 'late'],
      ['expiry', '1970-01-01T00:00:04.000Z', 'FLEET-000001', 'late again'],
      ['password-opens', '1970-01-01T00:00:05.000Z', undefined, 'fleet-wide'],
    ]);
    expect(b.total).toBe(3);
  });
});
