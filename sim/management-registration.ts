/**
 * `lapsim device init --server <url>`: registers the new device with a lapsim management server
 * (POST /lapsim/intune/devices, docs/intune-api.md) and stores what `lapsim agent` needs to
 * connect: the channel URL and the device's channel token (sealed at rest).
 */
import { readFileSync } from 'node:fs';
import { LapsError, UsageError } from '../core/errors.js';
import { Secret } from '../core/secret.js';
import { httpCall, TransportError } from '../agent/escrow/http-client.js';
import { openDatabase } from '../store/database.js';
import type { DeviceRecord } from '../store/devices.js';
import { loadRegistration, saveRegistration, type ManagementRegistration } from '../store/management-config.js';
import { loadStoreKey, SecretBox } from '../store/secret-box.js';

export interface RegisterOptions {
  /** The server's HTTP(S) URL, as `lapsim server` prints it. */
  readonly serverUrl: string;
  readonly adminToken: string;
  /** PEM file of the CA an https:// server's certificate chains to. */
  readonly caFile?: string | undefined;
}

/** The ws(s):// base of the device channel for an http(s):// server URL. */
export function channelBase(serverUrl: string): string {
  const u = serverUrl.replace(/\/+$/, '');
  if (/^https:\/\//i.test(u)) return `wss://${u.slice(8)}`;
  if (/^http:\/\//i.test(u)) return `ws://${u.slice(7)}`;
  if (/^wss?:\/\//i.test(u)) return u;
  throw new UsageError(`--server must be an http(s):// URL of a lapsim server, got ${serverUrl}`);
}

/** Registers `record` with the server; returns the registration to store. */
export async function registerWithServer(record: DeviceRecord, o: RegisterOptions): Promise<ManagementRegistration> {
  const http = channelBase(o.serverUrl).replace(/^ws/i, 'http');
  let ca: string | undefined;
  if (o.caFile !== undefined) {
    try {
      ca = readFileSync(o.caFile, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read the CA file ${o.caFile}: ${(e as Error).message}`, { cause: e });
    }
  }
  const joinType = record.joinType === 'hybrid' ? 'hybrid' : 'entra';
  let answer;
  try {
    answer = await httpCall({
      method: 'POST', url: `${http}/lapsim/intune/devices`,
      headers: { Authorization: `Bearer ${o.adminToken}`, 'Content-Type': 'application/json', 'User-Agent': 'lapsim' },
      body: JSON.stringify({ deviceName: record.name, joinType, osVersion: record.osBuild, deviceId: record.deviceId }),
      ...(ca !== undefined ? { ca } : {}),
    });
  } catch (e) {
    const why = e instanceof TransportError ? e.message : (e as Error).message;
    throw new LapsError('LAPS_ERR_DIRECTORY_JOIN', `cannot reach the management server at ${http}: ${why}`, { cause: e });
  }
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    // reported below with the status
  }
  if (answer.status !== 201 || typeof body['channelToken'] !== 'string' || typeof body['managedDeviceId'] !== 'string') {
    const message = (body['error'] as { message?: string } | undefined)?.message ?? `HTTP ${answer.status}`;
    throw new LapsError('LAPS_ERR_DIRECTORY_JOIN', `the management server refused the registration: ${message}`);
  }
  return { server: channelBase(o.serverUrl), managedDeviceId: body['managedDeviceId'], token: new Secret(body['channelToken']) };
}

/** Stores a registration in the device's database. */
export function storeRegistration(path: string, deviceId: string, r: ManagementRegistration, env: Readonly<Record<string, string | undefined>>): void {
  const db = openDatabase(path);
  try {
    saveRegistration(db, new SecretBox(loadStoreKey(path, env)), deviceId, r);
  } finally {
    db.close();
  }
}

/** The stored registration of the only (or named) device of `path`, for `lapsim agent`. */
export function storedRegistration(path: string, env: Readonly<Record<string, string | undefined>>): { server: string; token: string } | undefined {
  let db;
  try {
    db = openDatabase(path, { readonly: true });
  } catch {
    return undefined;
  }
  try {
    const row = db.prepare('SELECT device_id FROM management_config LIMIT 2').all() as { device_id: string }[];
    if (row.length !== 1) return undefined;
    const r = loadRegistration(db, new SecretBox(loadStoreKey(path, env)), row[0]!.device_id);
    return r ? { server: r.server, token: r.token.reveal() } : undefined;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}
