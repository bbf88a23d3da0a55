/**
 * SyncML alert codes (OMA DM Protocol 1.2 section 8.7 "Alert codes", MS-MDM 2.2.7.2) and how
 * a Windows device treats each one when it arrives from the server.
 * https://learn.microsoft.com/windows/client-management/oma-dm-protocol-support
 */
export const SyncmlAlert = {
  /** 1100 Display: show a message to the user (user interaction, OMA DM 1.2 section 10.1). */
  DISPLAY: 1100,
  /** 1101 Confirm or reject (user interaction). */
  CONFIRM_OR_REJECT: 1101,
  /** 1102 Text input (user interaction). */
  TEXT_INPUT: 1102,
  /** 1103 Single choice (user interaction). */
  SINGLE_CHOICE: 1103,
  /** 1104 Multiple choice (user interaction). */
  MULTIPLE_CHOICE: 1104,
  /** 1200 Server-initiated management session (package 0 trigger, and the client's answer to it). */
  SERVER_INITIATED_MGMT: 1200,
  /** 1201 Client-initiated management session. */
  CLIENT_INITIATED_MGMT: 1201,
  /** 1222 Next message: the sender has more messages in this package (multiple messages). */
  NEXT_MESSAGE: 1222,
  /** 1223 Session abort: the sender ends the session at once. */
  SESSION_ABORT: 1223,
  /** 1224 Client event (Windows: LoginStatus, AADUserToken, requestpending ...). */
  CLIENT_EVENT: 1224,
  /** 1225 No end of data: a new command arrived before the last chunk of a large object. */
  NO_END_OF_DATA: 1225,
  /** 1226 Generic alert (Windows: unenrollment, async results). */
  GENERIC_ALERT: 1226,
} as const;

export type SyncmlAlertCode = (typeof SyncmlAlert)[keyof typeof SyncmlAlert];

/**
 * What the device does with an alert received from the server:
 * - `status`: answer with the given status code;
 * - `silent`: no Status at all (a package-0 trigger is not part of the session);
 * - `abort`: the session ends; the device sends nothing more (OMA DM 1.2 section 8.3).
 */
export type ServerAlertHandling =
  | { readonly kind: 'status'; readonly code: number }
  | { readonly kind: 'silent' }
  | { readonly kind: 'abort' };

/** Handling of every alert a server may send; any other code answers 406 (OMA RepPro 10.3). */
export const SERVER_ALERT_HANDLING: ReadonlyMap<number, ServerAlertHandling> = new Map<number, ServerAlertHandling>([
  // The trigger frame on our channel: package 0, answered by a new session, not by a Status.
  [SyncmlAlert.SERVER_INITIATED_MGMT, { kind: 'silent' }],
  // The server has more messages for this package: acknowledged.
  [SyncmlAlert.NEXT_MESSAGE, { kind: 'status', code: 200 }],
  // "A client that receives 1223 should not reply."
  [SyncmlAlert.SESSION_ABORT, { kind: 'abort' }],
]);

/** Handling of an alert code received from the server (406 when the device does not handle it). */
export function serverAlertHandling(code: number): ServerAlertHandling {
  return SERVER_ALERT_HANDLING.get(code) ?? { kind: 'status', code: 406 };
}
