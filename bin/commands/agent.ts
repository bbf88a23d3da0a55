/**
 * `lapsim agent`: the device as a background service driven by a management server over the
 * OMA-DM channel (docs/protocol.md). Wiring only: configuration (agent/service/config.ts), the
 * composition (sim/sqlite-agent.ts), signals and the exit code.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { isFaultPoint } from '../../agent/rotation/faults.js';
import { AGENT_CONFIG_HELP, AGENT_CONFIG_KEYS, flagName, loadAgentConfig, redactedConfig } from '../../agent/service/config.js';
import { createPinoLogger } from '../../agent/service/logging.js';
import { buildSqliteAgent, type AgentTestHooks } from '../../sim/sqlite-agent.js';
import { storedRegistration } from '../../sim/management-registration.js';
import { action, ExitCode, EXIT_FAILURE } from '../cli-support.js';

/** Hidden, test-only hooks (docs/cli.md): put a crash or a pause inside a rotation. */
function testHooks(env: NodeJS.ProcessEnv): AgentTestHooks {
  const crashAt = env['LAPSIM_TEST_CRASH_AT'];
  const hold = env['LAPSIM_TEST_HOLD_AFTER_BACKUP_MS'];
  if (crashAt !== undefined && !isFaultPoint(crashAt)) throw new UsageError(`LAPSIM_TEST_CRASH_AT: not a fault point: ${crashAt}`);
  return { ...(crashAt !== undefined ? { crashAt } : {}), ...(hold !== undefined ? { holdAfterBackupMs: Number(hold) } : {}) };
}

function readConfigFile(path: string | undefined): { path: string; text: string } | undefined {
  if (path === undefined) return undefined;
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (e) {
    throw new UsageError(`cannot read the config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
}

/** Resolves at the first SIGINT/SIGTERM; a second one exits at once. */
function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals): void => {
      process.once(sig, () => process.exit(130));
      resolve(sig);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

export function registerAgent(program: Command): void {
  const cmd = program.command('agent')
    .description('run the device as a background service driven by a management server (OMA-DM over WebSocket)')
    .option('--config <file>', 'JSON configuration file (also LAPSIM_CONFIG); flags > LAPSIM_* variables > file > defaults');
  for (const key of AGENT_CONFIG_KEYS) cmd.option(key === 'once' ? '--once' : `${flagName(key)} <value>`, AGENT_CONFIG_HELP[key]);
  cmd.action(action(async (flags: Record<string, unknown>) => {
    const config = loadAgentConfig({
      flags: Object.fromEntries(AGENT_CONFIG_KEYS.map((k) => [k, flags[k]])), env: process.env,
      file: readConfigFile((flags['config'] as string | undefined) ?? process.env['LAPSIM_CONFIG']),
      registered: (state) => storedRegistration(state, process.env),
    });
    const logger = createPinoLogger({ level: config.logLevel, base: { service: 'lapsim-agent' } });
    logger.info({ config: redactedConfig(config) }, 'configuration');
    const agent = await buildSqliteAgent({
      config, env: process.env, logger, testHooks: testHooks(process.env), onCrash: () => process.kill(process.pid, 'SIGKILL'),
    });
    if (config.once) {
      const r = await agent.service.runOnce();
      agent.close();
      if (r.session?.result !== 'complete' || (r.cycle !== undefined && r.cycle.hresult !== 0)) throw new ExitCode(EXIT_FAILURE);
      return;
    }
    const signal = firstSignal();
    await agent.service.start();
    logger.info({ signal: await signal }, 'stopping');
    const finished = await agent.service.stop();
    agent.close();
    process.exit(finished ? 0 : EXIT_FAILURE);
  }));
}
