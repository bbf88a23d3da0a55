/**
 * The messages a Windows MDM client writes on its own (oma-dm-session.md sections 1.2-1.4, 1.7):
 * package 1 of a session, and the session abort. Also how the device recognises the server's
 * trigger frame (an Alert 1200 alone) and the server's Status for its SyncHdr.
 */
import type { CmdId, LocUri } from '../../core/ids.js';
import type { DeviceInfo } from '../../csp/devinfo/device-info-handlers.js';
import { SyncmlAlert } from '../../csp/syncml/alerts.js';
import type { BodyElement, Item, SyncHdr, SyncMessage } from '../../csp/syncml/types.js';

/** `com.microsoft/MDM/LoginStatus` values: an MDM user, someone else, nobody signed in. */
export type LoginStatus = 'user' | 'others' | 'none';

/** The 1224 alert type that carries LoginStatus (MS-MDM, Entra integration with MDM). */
export const LOGIN_STATUS_TYPE = 'com.microsoft/MDM/LoginStatus';

/** What the device says about itself when it opens a session. */
export interface SessionIdentity {
  /** DevInfo values; `devId` is also the SyncHdr Source. */
  readonly info: DeviceInfo;
  /** SyncHdr Target of the device's messages: the management URL. */
  readonly serverUrl: string;
  /** Who is signed in (default `none`). */
  readonly loginStatus?: LoginStatus;
}

/** DevId of a device: its id's 32 hex digits in upper case (oma-dm-session.md 1.2). */
export function devIdFor(deviceId: string): string {
  return deviceId.replace(/-/g, '').toUpperCase();
}

const id = (n: number): CmdId => String(n) as CmdId;
const uri = (s: string): LocUri => s as LocUri;

/** The SyncHdr of a message the device sends. */
export function deviceHeader(identity: SessionIdentity, sessionId: string, msgId: number): SyncHdr {
  return {
    verDtd: '1.2', verProto: 'DM/1.2', sessionId, msgId: String(msgId),
    target: { locUri: uri(identity.serverUrl) }, source: { locUri: uri(identity.info.devId) },
  };
}

/**
 * Package 1: Alert 1201 (or 1200 when the server asked), Alert 1224 LoginStatus, one Replace of
 * `./DevInfo/DevId`, `Man`, `Mod`, `DmV`, `Lang` (Source LocURIs), Final. CmdIDs start at 2: 1 is
 * kept for the SyncHdr Status of later messages.
 */
export function packageOne(identity: SessionIdentity, sessionId: string, serverRequested: boolean): SyncMessage {
  const i = identity.info;
  const devInfo = (name: string, data: string): Item => ({ source: { locUri: uri(`./DevInfo/${name}`) }, data });
  const body: BodyElement[] = [
    { kind: 'Alert', cmdId: id(2), data: String(serverRequested ? SyncmlAlert.SERVER_INITIATED_MGMT : SyncmlAlert.CLIENT_INITIATED_MGMT), items: [] },
    {
      kind: 'Alert', cmdId: id(3), data: String(SyncmlAlert.CLIENT_EVENT),
      items: [{ meta: { type: LOGIN_STATUS_TYPE }, data: identity.loginStatus ?? 'none' }],
    },
    {
      kind: 'Replace', cmdId: id(4),
      items: [devInfo('DevId', i.devId), devInfo('Man', i.manufacturer), devInfo('Mod', i.model), devInfo('DmV', i.dmVersion), devInfo('Lang', i.language)],
    },
  ];
  return { header: deviceHeader(identity, sessionId, 1), body, final: true };
}

/**
 * The device aborts the session (Alert 1223, with Final). After a message it could read, the
 * abort begins with the Status for that message's SyncHdr.
 */
export function abortMessage(identity: SessionIdentity, sessionId: string, msgId: number, answering?: SyncHdr): SyncMessage {
  const body: BodyElement[] = [];
  if (answering) {
    body.push({ kind: 'Status', cmdId: id(1), msgRef: answering.msgId, cmdRef: '0', cmd: 'SyncHdr', targetRefs: [], sourceRefs: [], items: [], data: '200' });
  }
  body.push({ kind: 'Alert', cmdId: id(body.length + 1), data: String(SyncmlAlert.SESSION_ABORT), items: [] });
  return { header: deviceHeader(identity, sessionId, msgId), body, final: true };
}

/** True for the server's trigger frame: a body of one Alert 1200 and nothing else. */
export function isTrigger(msg: SyncMessage): boolean {
  if (msg.body.length !== 1) return false;
  const only = msg.body[0]!;
  return only.kind === 'Alert' && only.data?.trim() === String(SyncmlAlert.SERVER_INITIATED_MGMT);
}

/** The code of the server's Status for the device's SyncHdr (CmdRef 0), if it sent one. */
export function headerStatus(msg: SyncMessage): number | undefined {
  for (const e of msg.body) {
    if (e.kind === 'Status' && (e.cmd === 'SyncHdr' || e.cmdRef.trim() === '0')) {
      const code = Number(e.data.trim());
      return Number.isInteger(code) ? code : undefined;
    }
  }
  return undefined;
}
