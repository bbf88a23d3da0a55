/**
 * Encryption at rest for passwords kept in SQLite (the rotation journal, the local directory):
 * AES-256-GCM with a 32-byte key, a fresh 12-byte nonce per value, and the device id as
 * associated data so that a sealed value cannot be moved to another device's row.
 *
 * Where the key comes from: LAPSIM_STORE_KEY (base64, 32 bytes) when set, else a key file beside
 * the database (`<db>.key`, mode 0600, created on first use). `:memory:` databases get a random
 * key that lives as long as the process.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Secret } from '../core/secret.js';
import { StoreError } from '../core/errors.js';
import { cryptoRng } from '../core/rng.js';

/** Nonces and keys always come from node:crypto, even in a seeded simulation. */
const entropy = cryptoRng();
const randomBuffer = (n: number): Buffer => Buffer.from(entropy.bytes(n));

const VERSION = 1;
const NONCE = 12;
const TAG = 16;

export class SecretBox {
  /** The key as a KeyObject, imported once. */
  readonly #key: KeyObject;
  /** The last value sealed per Secret: the journal and the local directory seal the same password. */
  readonly #sealed = new WeakMap<Secret, { context: string; value: Buffer }>();

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new StoreError('LAPS_ERR_STORE_KEY', 'the at-rest key must be 32 bytes');
    this.#key = createSecretKey(Buffer.from(key));
  }

  /** version(1) | nonce(12) | tag(16) | ciphertext */
  seal(secret: Secret, context: string): Buffer {
    const prior = this.#sealed.get(secret);
    if (prior?.context === context) return prior.value;
    const value = this.#seal(secret, context);
    this.#sealed.set(secret, { context, value });
    return value;
  }

  #seal(secret: Secret, context: string): Buffer {
    const nonce = entropy.bytes(NONCE);
    const c = createCipheriv('aes-256-gcm', this.#key, nonce);
    c.setAAD(Buffer.from(context, 'utf8'));
    const body = c.update(secret.reveal(), 'utf8');
    const tail = c.final(); // empty: GCM is a stream mode
    const out = Buffer.allocUnsafe(1 + NONCE + TAG + body.length + tail.length);
    out[0] = VERSION;
    out.set(nonce, 1);
    out.set(c.getAuthTag(), 1 + NONCE);
    out.set(body, 1 + NONCE + TAG);
    out.set(tail, 1 + NONCE + TAG + body.length);
    return out;
  }

  open(sealed: Uint8Array, context: string): Secret {
    const b = Buffer.from(sealed);
    if (b.length < 1 + NONCE + TAG || b[0] !== VERSION) {
      throw new StoreError('LAPS_ERR_STORE_CORRUPT', 'a sealed secret in the database is damaged');
    }
    try {
      const d = createDecipheriv('aes-256-gcm', this.#key, b.subarray(1, 1 + NONCE));
      d.setAAD(Buffer.from(context, 'utf8'));
      d.setAuthTag(b.subarray(1 + NONCE, 1 + NONCE + TAG));
      return new Secret(Buffer.concat([d.update(b.subarray(1 + NONCE + TAG)), d.final()]).toString('utf8'));
    } catch (e) {
      throw new StoreError('LAPS_ERR_STORE_KEY', 'the at-rest key does not open the stored secrets (wrong LAPSIM_STORE_KEY or key file?)', { cause: e });
    }
  }
}

/** The key for a database path, per the rules above. */
export function loadStoreKey(dbPath: string, env: Readonly<Record<string, string | undefined>> = {}): Uint8Array {
  const fromEnv = env['LAPSIM_STORE_KEY'];
  if (fromEnv !== undefined && fromEnv !== '') {
    const k = Buffer.from(fromEnv, 'base64');
    if (k.length !== 32) throw new StoreError('LAPS_ERR_STORE_KEY', 'LAPSIM_STORE_KEY must be 32 bytes in base64');
    return k;
  }
  if (dbPath === ':memory:' || dbPath === '') return randomBuffer(32);
  const keyPath = `${dbPath}.key`;
  if (existsSync(keyPath)) {
    const k = Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64');
    if (k.length !== 32) throw new StoreError('LAPS_ERR_STORE_KEY', `${keyPath} does not hold a 32-byte base64 key`);
    return k;
  }
  const k = randomBuffer(32);
  writeFileSync(keyPath, `${k.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return k;
}
