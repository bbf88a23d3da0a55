/** Every command group of the CLI, registered in this order. */
import type { Command } from 'commander';
import { registerDevice } from './device.js';
import { registerLifecycle } from './lifecycle.js';
import { registerPolicy } from './policy.js';
import { registerAccount } from './account.js';
import { registerDemo } from './demo.js';
import { registerCsp } from './csp.js';
import { registerAgent } from './agent.js';
import { registerDirectoryEntra } from './directory-entra.js';
import { registerDirectoryAd } from './directory-ad.js';
import { registerAd } from './ad.js';
import { registerServer } from './server.js';
import { registerFleet } from './fleet.js';

export type Register = (program: Command) => void;

export const COMMANDS: Register[] = [registerDemo, registerDevice, registerAccount, registerPolicy, registerLifecycle, registerCsp, registerAgent, registerDirectoryEntra, registerDirectoryAd, registerAd, registerServer, registerFleet];
