/**
 * The SyncML 1.2 message model (OMA DM Representation Protocol, MS-MDM 2.2), as parsed from a
 * server message and as written in the device's reply. Element names follow the spec spelling in
 * the comments; fields are camelCase. Optional fields may be absent or undefined.
 */
import type { CmdId, LocUri } from '../../core/ids.js';

/** `<Meta>` with the MetInf children lapsim reads or writes (namespace `syncml:metinf`). */
export interface Meta {
  /** `<Format>`: int, chr, bool, b64, xml, node, null ... */
  readonly format?: string | undefined;
  /** `<Type>`: a MIME type such as text/plain. */
  readonly type?: string | undefined;
  /** `<Size>`: size of a large object, in bytes. */
  readonly size?: string | undefined;
  /** `<NextNonce>`: next MD5 nonce (authentication challenges). */
  readonly nextNonce?: string | undefined;
  /** `<MaxMsgSize>`: largest message the sender accepts, in bytes. */
  readonly maxMsgSize?: string | undefined;
  /** `<MaxObjSize>`: largest object the sender accepts, in bytes. */
  readonly maxObjSize?: string | undefined;
}

/** `<Target>` or `<Source>`: a `<LocURI>` and an optional `<LocName>`. */
export interface Location {
  readonly locUri: LocUri;
  readonly locName?: string | undefined;
}

/** `<Item>`. */
export interface Item {
  readonly target?: Location | undefined;
  readonly source?: Location | undefined;
  readonly meta?: Meta | undefined;
  /** `<Data>` text; undefined when the element is absent. */
  readonly data?: string | undefined;
  /** `<MoreData/>`: a large-object chunk follows. */
  readonly moreData?: boolean | undefined;
}

/** `<SyncHdr>`. */
export interface SyncHdr {
  /** `<VerDTD>`, `1.2`. */
  readonly verDtd: string;
  /** `<VerProto>`, `DM/1.2`. */
  readonly verProto: string;
  /** `<SessionID>`: opaque, echoed verbatim. */
  readonly sessionId: string;
  /** `<MsgID>`: numbered by each sender from 1. */
  readonly msgId: string;
  readonly target?: Location | undefined;
  readonly source?: Location | undefined;
  /** `<RespURI>`: parsed and ignored on a socket. */
  readonly respUri?: string | undefined;
  readonly meta?: Meta | undefined;
}

/** Commands that act on nodes through their Items. */
export type ItemCommandName = 'Add' | 'Replace' | 'Delete' | 'Get' | 'Exec';
/** Commands that hold other commands. */
export type ContainerCommandName = 'Atomic' | 'Sequence';

/** `<Add>`, `<Replace>`, `<Delete>`, `<Get>` or `<Exec>`. */
export interface ItemCommand {
  readonly kind: ItemCommandName;
  readonly cmdId?: CmdId | undefined;
  /** Command-level `<Meta>`: applies to every Item that has no Meta of its own. */
  readonly meta?: Meta | undefined;
  readonly items: readonly Item[];
}

/** `<Atomic>` (all or nothing) or `<Sequence>` (in order). */
export interface ContainerCommand {
  readonly kind: ContainerCommandName;
  readonly cmdId?: CmdId | undefined;
  readonly meta?: Meta | undefined;
  readonly children: readonly BodyElement[];
}

/** `<Alert>`: `<Data>` holds the alert code. */
export interface AlertCommand {
  readonly kind: 'Alert';
  readonly cmdId?: CmdId | undefined;
  readonly data?: string | undefined;
  readonly items: readonly Item[];
}

/** `<Status>`: the answer to one command (or to one Item of it, with TargetRef). */
export interface StatusCommand {
  readonly kind: 'Status';
  readonly cmdId?: CmdId | undefined;
  /** `<MsgRef>`: the MsgID of the message that held the command. */
  readonly msgRef: string;
  /** `<CmdRef>`: the command's CmdID; `0` for the SyncHdr; empty when the command had none. */
  readonly cmdRef: string;
  /** `<Cmd>`: the command's element name, or `SyncHdr`. */
  readonly cmd: string;
  readonly targetRefs: readonly string[];
  readonly sourceRefs: readonly string[];
  readonly items: readonly Item[];
  /** `<Data>`: the status code. */
  readonly data: string;
}

/** `<Results>`: the values a Get returned. */
export interface ResultsCommand {
  readonly kind: 'Results';
  readonly cmdId?: CmdId | undefined;
  readonly msgRef?: string | undefined;
  /** `<CmdRef>`: the Get's CmdID. */
  readonly cmdRef: string;
  readonly meta?: Meta | undefined;
  readonly items: readonly Item[];
}

/** Any other element in SyncBody, Atomic or Sequence (Copy, Sync, Map, Final inside a container ...). */
export interface UnknownElement {
  readonly kind: 'Unknown';
  /** The element's name as written. */
  readonly name: string;
  readonly cmdId?: CmdId | undefined;
}

export type Command = ItemCommand | ContainerCommand | AlertCommand | StatusCommand | ResultsCommand;
export type BodyElement = Command | UnknownElement;

/** One SyncML message: `<SyncML><SyncHdr/><SyncBody>...[<Final/>]</SyncBody></SyncML>`. */
export interface SyncMessage {
  readonly header: SyncHdr;
  /** SyncBody children in document order (`<Final/>` excluded, see `final`). */
  readonly body: readonly BodyElement[];
  /** `<Final/>`: the last message of its package. */
  readonly final: boolean;
}
