/**
 * An in-memory channel: two connected ends with the same interface as the WebSocket channel.
 * Frames and closes are delivered asynchronously (a microtask later) and in order, as a socket
 * would deliver them, so that neither side runs inside the other's `send`. A real component: the
 * session unit tests, the fleet simulator and the test server's in-process devices use it.
 */
import { BufferedConnection, CloseCode, type Connector, type FrameConnection } from './channel.js';

class MemoryEnd extends BufferedConnection {
  peer: MemoryEnd | undefined;
  #closing = false;

  send(frame: string): void {
    const peer = this.peer;
    if (!this.open || this.#closing || !peer) return;
    queueMicrotask(() => peer.deliver(frame));
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (!this.open || this.#closing) return;
    this.#closing = true;
    const peer = this.peer;
    queueMicrotask(() => {
      this.closed(code, reason);
      peer?.closed(code, reason);
    });
  }
}

/** Two connected ends: what one sends, the other receives. */
export function memoryChannelPair(): [FrameConnection, FrameConnection] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/**
 * Opens memory channels: each `connect` makes a pair, hands one end to `accept` (the server
 * side), and returns the other. `accept` may throw a ChannelError to refuse the device.
 */
export class MemoryConnector implements Connector {
  constructor(
    readonly url: string,
    private readonly accept: (serverEnd: FrameConnection) => void,
  ) {}

  async connect(): Promise<FrameConnection> {
    const [device, server] = memoryChannelPair();
    this.accept(server);
    return device;
  }
}
