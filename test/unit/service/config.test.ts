/** The agent's configuration: one schema, sources merged in order, every problem reported, frozen. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AGENT_CONFIG_HELP, AGENT_CONFIG_KEYS, envName, flagName, loadAgentConfig, parseDuration, redactedConfig } from '../../../agent/service/config.js';

const minimal = { flags: { state: '/var/lib/lapsim/device.db', server: 'ws://127.0.0.1:8080' } };

describe('agent configuration', () => {
  it('defaults: 8 h polls, 60 s session timeout, real time, 1 MiB frames', () => {
    const c = loadAgentConfig(minimal);
    expect(c).toMatchObject({
      pollIntervalMs: 8 * 3_600_000, sessionTimeoutMs: 60_000, connectTimeoutMs: 10_000, reconnectInitialMs: 1000, reconnectMaxMs: 300_000,
      timeScale: 1, maxFrameBytes: 1024 * 1024, logLevel: 'info', loginStatus: 'none', manufacturer: 'Microsoft Corporation',
      model: 'Virtual Machine', language: 'en-US', shutdownGraceMs: 30_000, once: false, token: undefined,
    });
  });

  it('flags win over LAPSIM_* variables, which win over the file; file paths are relative to the file', () => {
    const c = loadAgentConfig({
      file: { path: '/etc/lapsim/agent.json', text: JSON.stringify({ state: 'dev.db', server: 'ws://file:1', pollInterval: '1h', timeScale: 5, token: 'from-file' }) },
      env: { LAPSIM_SERVER: 'ws://env:2', LAPSIM_POLL_INTERVAL: '30m', LAPSIM_ONCE: 'yes', HOME: '/root' },
      flags: { pollInterval: '90s', server: undefined },
    });
    expect(c).toMatchObject({ state: '/etc/lapsim/dev.db', server: 'ws://env:2', pollIntervalMs: 90_000, timeScale: 5, token: 'from-file', once: true });
  });

  it('reports every problem at once, naming where each value came from', () => {
    let message = '';
    try {
      loadAgentConfig({
        file: { path: '/etc/a.json', text: JSON.stringify({ server: 'http://x', bogus: 1, maxFrameBytes: 12 }) },
        env: { LAPSIM_TIME_SCALE: '-2', LAPSIM_ONCE: 'maybe' },
        flags: { pollInterval: 'soon' },
      });
    } catch (e) {
      expect((e as { code: string }).code).toBe('LAPS_ERR_CONFIG');
      message = (e as Error).message;
    }
    const lines = message.split('\n').slice(1).map((l) => l.trim());
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^state \(set --state, LAPSIM_STATE or "state" in the config file\): required$/),
      expect.stringMatching(/^server \(from config file \/etc\/a\.json\): must be a ws:\/\/ or wss:\/\/ URL$/),
      expect.stringMatching(/^timeScale \(from LAPSIM_TIME_SCALE\): /),
      expect.stringMatching(/^pollInterval \(from --poll-interval\): not a duration/),
      expect.stringMatching(/^maxFrameBytes \(from config file \/etc\/a\.json\): /),
      expect.stringMatching(/^once \(from LAPSIM_ONCE\): /),
      expect.stringMatching(/^bogus \(config file \/etc\/a\.json\): not a setting of lapsim agent$/),
    ]));
    expect(lines).toHaveLength(7);
  });

  it('cross-checks: reconnect bounds, a CA file only with wss, a file that is not an object', () => {
    expect(() => loadAgentConfig({ flags: { ...minimal.flags, reconnectInitial: '10m', reconnectMax: '1m' } })).toThrow(/reconnectInitial .* must not exceed reconnectMax/);
    expect(() => loadAgentConfig({ flags: { ...minimal.flags, caFile: '/ca.pem' } })).toThrow(/caFile .* only used with a wss:\/\/ server/);
    expect(() => loadAgentConfig({ ...minimal, file: { path: '/x.json', text: '[1]' } })).toThrow(/must hold a JSON object/);
    expect(() => loadAgentConfig({ ...minimal, file: { path: '/x.json', text: '{' } })).toThrow(/not valid JSON/);
  });

  it('the result is deeply frozen and its redacted form hides the token', () => {
    const c = loadAgentConfig({ flags: { ...minimal.flags, token: 's3cret' } });
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => { (c as { token: string }).token = 'x'; }).toThrow(TypeError);
    expect(JSON.stringify(redactedConfig(c))).not.toContain('s3cret');
  });

  it('durations, names and help cover every key', () => {
    expect([parseDuration('8h'), parseDuration('1h30m'), parseDuration('1500ms'), parseDuration('2d'), parseDuration('0.5s'), parseDuration('8'), parseDuration('h')])
      .toEqual([28_800_000, 5_400_000, 1500, 172_800_000, 500, undefined, undefined]);
    expect([envName('pollInterval'), flagName('pollInterval'), envName('caFile')]).toEqual(['LAPSIM_POLL_INTERVAL', '--poll-interval', 'LAPSIM_CA_FILE']);
    expect(Object.keys(AGENT_CONFIG_HELP).sort()).toEqual([...AGENT_CONFIG_KEYS].sort());
  });

  it('the example file in packaging/ is valid, and docs/cli.md lists every setting with its variable and key', () => {
    const path = new URL('../../../packaging/agent.example.json', import.meta.url).pathname;
    const c = loadAgentConfig({ file: { path, text: readFileSync(path, 'utf8') } });
    expect(c).toMatchObject({ state: '/var/lib/lapsim/device.db', server: 'wss://mdm.example.test', pollIntervalMs: 8 * 3_600_000 });
    const cli = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');
    for (const key of AGENT_CONFIG_KEYS) {
      expect(cli, key).toMatch(new RegExp(`\\| \`${flagName(key)}[ \`].*\\| \`${envName(key)}\` \\| \`${key}\` \\|`));
    }
  });
});
