/**
 * SyncML status codes a device answers with (SyncML Representation Protocol 1.2 section 10, as
 * Windows uses them). Source of the Windows meanings:
 * https://learn.microsoft.com/windows/client-management/oma-dm-protocol-support#syncml-response-status-codes
 */
export const SyncmlStatus = {
  /** 200 OK: the command completed. RepPro 10.2 / MS-MDM OMA-DM support page. */
  OK: 200,
  /** 202 Accepted for processing: done asynchronously (e.g. a remote Exec). RepPro 10.2. */
  ACCEPTED: 202,
  /** 212 Authentication accepted: no further Cred this session (SyncHdr only). RepPro 10.2. */
  AUTHENTICATION_ACCEPTED: 212,
  /** 214 Operation cancelled: the command completed, no further commands are processed. RepPro 10.2. */
  OPERATION_CANCELLED: 214,
  /** 215 Not executed: the user chose not to run the command. RepPro 10.2. */
  NOT_EXECUTED: 215,
  /** 216 Atomic roll back OK: the command was inside a failed Atomic and was rolled back. RepPro 10.2. */
  ATOMIC_ROLLBACK_OK: 216,
  /** 400 Bad request: malformed command, missing CmdID, non-command element. RepPro 10.3. */
  BAD_REQUEST: 400,
  /** 401 Invalid credentials: authentication failed (SyncHdr only). RepPro 10.3. */
  INVALID_CREDENTIALS: 401,
  /** 403 Forbidden: understood but refused. RepPro 10.3. */
  FORBIDDEN: 403,
  /** 404 Not found: the target node does not exist (CFGMGR_E_NODENOTFOUND on Windows). RepPro 10.3. */
  NOT_FOUND: 404,
  /** 405 Command not allowed on the target (read-only or interior node, wrong access type). RepPro 10.3. */
  COMMAND_NOT_ALLOWED: 405,
  /** 406 Optional feature not supported (e.g. a `?prop=` query, an alert the device does not handle). RepPro 10.3. */
  OPTIONAL_FEATURE_NOT_SUPPORTED: 406,
  /** 415 Unsupported media type or format: Meta Format/Type that does not match the node. RepPro 10.3. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** 418 Already exists: Add on a node that already has a value. RepPro 10.3. */
  ALREADY_EXISTS: 418,
  /** 425 Permission denied: the ACL refuses the command. RepPro 10.3. */
  PERMISSION_DENIED: 425,
  /** 500 Command failed: generic failure, Get inside Atomic, nested Atomic. RepPro 10.4. */
  COMMAND_FAILED: 500,
  /** 507 Atomic failed: one of the commands inside the Atomic failed. RepPro 10.4. */
  ATOMIC_FAILED: 507,
  /** 516 Atomic roll back failed: the Atomic failed and its rollback could not complete. RepPro 10.4. */
  ATOMIC_ROLLBACK_FAILED: 516,
} as const;

export type SyncmlStatusCode = (typeof SyncmlStatus)[keyof typeof SyncmlStatus];

/** True for the 2xx codes (the command, or its rollback, succeeded). */
export function isSuccess(code: number): boolean {
  return code >= 200 && code < 300;
}
