/**
 * AD-joined fleet devices against the real Samba domain controller (sim/ad): the lab DC of the
 * scenario's folder is used when it already answers, else started (and provisioned on first use)
 * for the run. Each AD device gets a computer account with its own machine password, joined as
 * `lapsim device init --directory ad=<DIR>` joins one, and talks LDAPS to the DC at every cycle
 * (AD devices read their expiry from the directory hourly, as Windows does): AD devices are
 * expensive, so scenarios keep them to tens. Hybrid devices of a fleet with a domain are joined
 * too, and back up to the DC when their policy in force says BackupDirectory 2.
 */
import { existsSync } from 'node:fs';
import type { Clock } from '../../core/clock.js';
import { noopLogger } from '../../core/logger.js';
import type { Rng } from '../../core/rng.js';
import type { DirectoryBackend, StoredCredential } from '../../agent/ports.js';
import type { Db } from '../../store/database.js';
import { getDevice } from '../../store/devices.js';
import { loadDirectoryConfig, saveDirectoryConfig } from '../../store/directory-config.js';
import type { SecretBox } from '../../store/secret-box.js';
import { withAdmin } from '../ad/ad-admin.js';
import { connectionFilePath, readConnection } from '../ad/connection-file.js';
import { startLabDc } from '../ad/lab-dc.js';
import { adGrantSelf, adUpdateSchema } from '../ad/ad-verbs.js';
import { LDAPS_PORT, portAnswers } from '../ad/samba-dc.js';
import { directoryProvider } from '../directory-registry.js';
import { GatedDirectory, HybridDirectory, type EscrowGate } from './fleet-escrow.js';

/** The DC a fleet run uses. */
export interface FleetDc {
  /** The lab DC folder (its connection file). */
  readonly dir: string;
  /** Stops the DC when this run started it. */
  stop(): Promise<void>;
}

/**
 * Uses the lab DC in `dir` when it answers, else starts it (provisioning it on first use); then
 * does what an AD admin does once for Windows LAPS (both idempotent): extends the schema
 * (Update-LapsADSchema) and lets computers in the devices' OU write their own password
 * (Set-LapsADComputerSelfPermission).
 */
export async function openFleetDc(dir: string, clock: Clock, rng: Rng): Promise<FleetDc> {
  const running = existsSync(connectionFilePath(dir)) && (await portAnswers(LDAPS_PORT));
  const lab = running ? undefined : await startLabDc({ dir, clock, rng });
  try {
    const c = readConnection(dir);
    await adUpdateSchema(c, false);
    await adGrantSelf(c, c.json.computersOu, false);
  } catch (e) {
    await lab?.stop();
    throw e;
  }
  return { dir, stop: async () => lab?.stop() };
}

/** The AD devices of one shard. */
export class AdFleet {
  readonly #dir: string;
  readonly #db: Db;
  readonly #box: SecretBox;
  readonly #clock: Clock;
  readonly #rng: Rng;
  readonly #directories = new Map<number, DirectoryBackend>();

  constructor(o: { dir: string; db: Db; box: SecretBox; clock: Clock; rng: Rng }) {
    this.#dir = o.dir;
    this.#db = o.db;
    this.#box = o.box;
    this.#clock = o.clock;
    this.#rng = o.rng;
  }

  /** Joins devices to the domain: a fresh computer account each (one left by an earlier run is replaced). */
  async join(deviceIds: readonly string[]): Promise<void> {
    const conn = readConnection(this.#dir);
    const provider = directoryProvider('ad');
    for (const deviceId of deviceIds) {
      const record = getDevice(this.#db, deviceId)!;
      await withAdmin(conn, async (s) => {
        const found = await s.find(conn.json.computersOu, `(sAMAccountName=${record.name.toUpperCase()}$)`, ['1.1']).catch(() => []);
        for (const e of found) await s.client.del(e.dn);
      });
      const joined = await provider.join({ db: this.#db, box: this.#box, record, clock: this.#clock, rng: this.#rng, env: {} }, this.#dir);
      saveDirectoryConfig(this.#db, this.#box, deviceId, { kind: 'ad', settings: joined.settings, secret: joined.secret });
    }
  }

  #inner(i: number, deviceId: string): DirectoryBackend {
    let d = this.#directories.get(i);
    if (!d) {
      const record = getDevice(this.#db, deviceId)!;
      d = directoryProvider('ad').open({
        db: this.#db, box: this.#box, record, clock: this.#clock, rng: this.#rng, env: {}, logger: noopLogger,
        config: loadDirectoryConfig(this.#db, this.#box, deviceId),
      });
      this.#directories.set(i, d);
    }
    return d;
  }

  /**
   * The directory of a domain-joined device, behind the fault gate: the DC for an AD-joined one;
   * for a hybrid one, the DC or `entra` as its policy says (HybridDirectory); undefined for an
   * Entra-only device.
   */
  directoryFor(i: number, deviceId: string, joinType: string, gate: EscrowGate, onStored: (deviceId: string, password: string) => void,
    entra: DirectoryBackend): DirectoryBackend | undefined {
    if (joinType !== 'ad' && joinType !== 'hybrid') return undefined;
    const ad = new GatedDirectory(this.#inner(i, deviceId), gate, 'ad', onStored);
    return joinType === 'ad' ? ad : new HybridDirectory(ad, entra);
  }

  /** What the DC holds for the device, read as the lab's admin (never gated). */
  credentials(i: number, deviceId: string): Promise<StoredCredential[]> {
    return this.#inner(i, deviceId).credentials(deviceId);
  }
}
