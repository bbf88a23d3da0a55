/**
 * A scriptable management server for the device channel of docs/protocol.md, independent of the
 * transport: it accepts device channels (a WebSocket through ws-endpoint.ts, or one end of a
 * memory pair), queues SyncML commands per device, asks devices for sessions (trigger frame),
 * records every session and what the device answered, and can tell when nothing is pending. The
 * management server emulator builds on it.
 */
import { timingSafeEqual } from 'node:crypto';
import { SystemClock, type Clock } from '../../core/clock.js';
import { LapsError } from '../../core/errors.js';
import { noopLogger, type Logger } from '../../core/logger.js';
import type { FrameConnection } from '../../agent/transport/channel.js';
import { CloseCode } from '../../agent/transport/channel.js';
import { devIdFor } from '../../agent/transport/dm-messages.js';
import { MemoryConnector } from '../../agent/transport/memory-channel.js';
import { CommandQueue, type CommandRecord } from './command-queue.js';
import { DeviceChannel, type ScriptedReply, type SessionRecord } from './server-session.js';
import type { ServerCommand } from './syncml-commands.js';

/** What happened on the server, for listeners and `waitUntil`. */
export type ServerEvent =
  | { readonly type: 'connected' | 'disconnected'; readonly deviceId: string }
  | { readonly type: 'session-start' | 'session-end'; readonly deviceId: string; readonly session: SessionRecord }
  | { readonly type: 'malformed'; readonly deviceId: string; readonly reason: string };

export interface DmServerOptions {
  /** SyncHdr Source of the server's messages (default `https://lapsim.invalid/ManagementServer/MDM.svc`). */
  readonly serverUrl?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** How long a session waits for the device's next message, in ms (default 5 minutes). */
  readonly sessionTimeoutMs?: number;
  /** Commands per server message (default 50). */
  readonly maxCommandsPerMessage?: number;
  /** Keep every frame of every session (default true; benchmarks turn it off). */
  readonly keepTranscripts?: boolean;
  /** Sessions kept per device, newest (default 100). */
  readonly sessionHistory?: number;
  /**
   * Decides whether a device may open its channel with this token. Default: the device was
   * added with `addDevice` and the token matches.
   */
  readonly authorize?: (deviceId: string, token: string | undefined) => boolean;
}

interface DeviceSlot {
  readonly deviceId: string;
  token: string | undefined;
  channel: DeviceChannel | undefined;
  readonly queue: CommandQueue;
  readonly records: CommandRecord[];
  readonly sessions: SessionRecord[];
  readonly scripts: ScriptedReply[];
  /** A session was asked for while one ran: trigger again when it ends. */
  wantSession: boolean;
  devId: string;
}

export class DmServer {
  readonly serverUrl: string;
  readonly clock: Clock;
  readonly #o: DmServerOptions;
  readonly #log: Logger;
  readonly #devices = new Map<string, DeviceSlot>();
  readonly #listeners = new Set<(e: ServerEvent) => void>();
  #nextCommandId = 1;
  #nextTrigger = 0x20;

  constructor(o: DmServerOptions = {}) {
    this.#o = o;
    this.serverUrl = o.serverUrl ?? 'https://lapsim.invalid/ManagementServer/MDM.svc';
    this.clock = o.clock ?? new SystemClock();
    this.#log = (o.logger ?? noopLogger).child({ component: 'dm-server' });
  }

  /** Registers a device and the bearer token its channel must present. */
  addDevice(deviceId: string, token: string): void {
    this.#slot(deviceId).token = token;
  }

  /** Whether a device may open its channel with this token. */
  authorize(deviceId: string, token: string | undefined): boolean {
    if (this.#o.authorize) return this.#o.authorize(deviceId, token);
    const expected = this.#devices.get(deviceId.toLowerCase())?.token;
    if (expected === undefined || token === undefined) return false;
    const a = Buffer.from(token);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /**
   * A device's channel opened (the transport checked its token). A newer channel replaces an
   * older one, which is closed with 4409.
   */
  accept(deviceId: string, conn: FrameConnection): void {
    const slot = this.#slot(deviceId);
    const old = slot.channel;
    const channel = new DeviceChannel(slot.deviceId, conn, {
      serverUrl: this.serverUrl, clock: this.clock, log: this.#log,
      sessionTimeoutMs: this.#o.sessionTimeoutMs ?? 300_000, maxCommandsPerMessage: this.#o.maxCommandsPerMessage ?? 50,
      keepTranscripts: this.#o.keepTranscripts ?? true, queue: slot.queue,
      nextScript: () => slot.scripts.shift(),
      malformed: (reason) => this.#emit({ type: 'malformed', deviceId: slot.deviceId, reason }),
      sessionStarted: (s) => {
        slot.sessions.push(s);
        if (slot.sessions.length > (this.#o.sessionHistory ?? 100)) slot.sessions.shift();
        if (s.devInfo['DevId'] !== undefined) slot.devId = s.devInfo['DevId'];
        this.#emit({ type: 'session-start', deviceId: slot.deviceId, session: s });
      },
      sessionEnded: (s) => {
        this.#emit({ type: 'session-end', deviceId: slot.deviceId, session: s });
        if (slot.wantSession && slot.channel === channel && conn.open) {
          slot.wantSession = false;
          this.#trigger(slot);
        }
      },
    });
    slot.channel = channel;
    conn.onFrame((f) => channel.onFrame(f));
    conn.onClose(() => {
      channel.onClosed();
      if (slot.channel === channel) {
        slot.channel = undefined;
        this.#emit({ type: 'disconnected', deviceId: slot.deviceId });
      }
    });
    if (old) old.conn.close(CloseCode.REPLACED, 'replaced by a newer connection');
    this.#emit({ type: 'connected', deviceId: slot.deviceId });
  }

  /**
   * An in-process channel for a device (no socket): what the agent's MemoryConnector connects
   * to. The token is checked as the WebSocket endpoint would.
   */
  memoryConnector(deviceId: string, token: string | undefined): MemoryConnector {
    return new MemoryConnector(`memory://${deviceId}`, (serverEnd) => {
      if (!this.authorize(deviceId, token)) {
        serverEnd.close(CloseCode.PROTOCOL_ERROR, 'unauthorized');
        return;
      }
      this.accept(deviceId, serverEnd);
    });
  }

  /** Queues commands for the device's next session; returns their records. */
  enqueue(deviceId: string, ...commands: ServerCommand[]): CommandRecord[] {
    const slot = this.#slot(deviceId);
    return commands.map((command) => {
      const record: CommandRecord = {
        id: this.#nextCommandId++, deviceId: slot.deviceId, command, state: 'queued', attempts: 0, sessionId: undefined,
        status: undefined, statuses: [], results: [],
      };
      slot.records.push(record);
      slot.queue.enqueue(record);
      return record;
    });
  }

  /**
   * Asks the device for a session (a trigger frame). When a session is running, another one is
   * asked for as soon as it ends. Returns the trigger's SessionID, or undefined when deferred.
   * @throws LapsError LAPS_ERR_SERVER_NOT_CONNECTED when the device's channel is not open.
   */
  requestSession(deviceId: string): string | undefined {
    const slot = this.#slot(deviceId);
    if (!slot.channel || !slot.channel.conn.open) {
      throw new LapsError('LAPS_ERR_SERVER_NOT_CONNECTED', `device ${deviceId} has no open channel`);
    }
    if (slot.channel.inSession) {
      slot.wantSession = true;
      return undefined;
    }
    return this.#trigger(slot);
  }

  /** Queues commands and asks for a session when the device is connected (else its next session takes them). */
  send(deviceId: string, ...commands: ServerCommand[]): CommandRecord[] {
    const records = this.enqueue(deviceId, ...commands);
    if (this.isConnected(deviceId)) this.requestSession(deviceId);
    return records;
  }

  /** Replaces the server's next reply to the device with a scripted one (garbage, silence, a close). */
  scriptNextReply(deviceId: string, reply: ScriptedReply): void {
    this.#slot(deviceId).scripts.push(reply);
  }

  isConnected(deviceId: string): boolean {
    return this.#devices.get(deviceId.toLowerCase())?.channel?.conn.open ?? false;
  }

  /** Connected devices. */
  connectedCount(): number {
    let n = 0;
    for (const s of this.#devices.values()) if (s.channel?.conn.open) n++;
    return n;
  }

  /** Every command queued for the device (or all devices), oldest first. */
  commands(deviceId?: string): CommandRecord[] {
    if (deviceId !== undefined) return [...(this.#devices.get(deviceId.toLowerCase())?.records ?? [])];
    return [...this.#devices.values()].flatMap((s) => s.records);
  }

  /** The device's sessions, oldest first (the last `sessionHistory`). */
  sessions(deviceId: string): SessionRecord[] {
    return [...(this.#devices.get(deviceId.toLowerCase())?.sessions ?? [])];
  }

  /** Ended sessions of the device with the given result (default: complete). */
  completedSessions(deviceId: string, result: SessionRecord['result'] = 'complete'): SessionRecord[] {
    return this.sessions(deviceId).filter((s) => s.result === result);
  }

  /** Subscribes to server events; returns the unsubscribe function. */
  on(listener: (e: ServerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves once `predicate` holds, checked now and after every server event.
   * @throws LapsError LAPS_ERR_SERVER_WAIT_TIMEOUT after `timeoutMs` (default 10 s).
   */
  waitUntil(predicate: () => boolean, what = 'a condition', timeoutMs = 10_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const off = this.on(() => {
        if (!predicate()) return;
        off();
        timer.cancel();
        resolve();
      });
      const timer = this.clock.setTimer('dm-server-wait', timeoutMs, () => {
        off();
        reject(new LapsError('LAPS_ERR_SERVER_WAIT_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}`));
      });
    });
  }

  /** Resolves with the device's `count`-th ended session (1-based, of those kept). */
  async waitForSessions(deviceId: string, count: number, timeoutMs = 10_000): Promise<SessionRecord> {
    const ended = (): SessionRecord[] => this.sessions(deviceId).filter((s) => s.result !== undefined);
    await this.waitUntil(() => ended().length >= count, `${count} ended session(s) of ${deviceId}`, timeoutMs);
    return ended()[count - 1]!;
  }

  /**
   * Throws unless every command queued for the device (or for every device) was sent and answered,
   * and no scripted reply is left: the end of a scripted exchange.
   * @throws LapsError LAPS_ERR_SERVER_PENDING listing what is left.
   */
  assertNothingPending(deviceId?: string): void {
    const slots = deviceId === undefined ? [...this.#devices.values()] : [this.#slot(deviceId)];
    const left: string[] = [];
    for (const s of slots) {
      for (const r of s.records) if (r.state !== 'answered') left.push(`${s.deviceId}: command #${r.id} ${r.command.kind} is ${r.state}`);
      if (s.scripts.length > 0) left.push(`${s.deviceId}: ${s.scripts.length} scripted repl${s.scripts.length === 1 ? 'y' : 'ies'} not used`);
    }
    if (left.length > 0) throw new LapsError('LAPS_ERR_SERVER_PENDING', `pending on the server:\n  ${left.join('\n  ')}`);
  }

  /** Closes every device channel (1001). */
  closeAll(): void {
    for (const s of this.#devices.values()) s.channel?.conn.close(CloseCode.GOING_AWAY, 'server stopping');
  }

  #trigger(slot: DeviceSlot): string {
    this.#nextTrigger = (this.#nextTrigger % 0xffff) + 1;
    const sessionId = this.#nextTrigger.toString(16).toUpperCase();
    slot.channel!.trigger(sessionId, slot.devId);
    return sessionId;
  }

  #slot(deviceId: string): DeviceSlot {
    const key = deviceId.toLowerCase();
    let s = this.#devices.get(key);
    if (!s) {
      s = { deviceId: key, token: undefined, channel: undefined, queue: new CommandQueue(), records: [], sessions: [], scripts: [], wantSession: false, devId: devIdFor(key) };
      this.#devices.set(key, s);
    }
    return s;
  }

  #emit(e: ServerEvent): void {
    for (const l of [...this.#listeners]) l(e);
  }
}
