/**
 * The "no password in any log, event or report" invariant. While an operation runs (a device's
 * cycle, a session, an admin action), the fleet collects the log lines and device events it
 * produces and the passwords it touches (escrowed, held by the directory, revealed); when the
 * operation ends each line and event is searched for each of those passwords. Files (the
 * reports, the log) are searched at the end for every password the directories still hold.
 */

/** A line or event that held a password (which is never repeated here). */
export interface Leak {
  /** `log`, `event 10020`, `report.json` ... */
  readonly where: string;
  /** The deviceId the password belongs to, when known. */
  readonly deviceId: string | undefined;
  /** The text that held it (to withhold it; never put in a report). */
  readonly text: string;
}

/** The text of a device event a password could hide in: its message and its string fields. */
export function eventText(e: { readonly message: string; readonly fields: Readonly<Record<string, unknown>> }): string {
  let t = e.message;
  for (const v of Object.values(e.fields)) if (typeof v === 'string') t += `\n${v}`;
  return t;
}

/** Passwords and texts of the operation in progress. */
export class LeakWatch {
  #passwords: { readonly deviceId: string | undefined; readonly text: string }[] = [];
  #texts: { readonly where: string; readonly text: string }[] = [];

  /** A password the operation touched. */
  remember(password: string, deviceId?: string): void {
    if (password.length > 0) this.#passwords.push({ deviceId, text: password });
  }

  /** A text the operation produced (a log line, an event's message and fields). */
  text(where: string, text: string): void {
    this.#texts.push({ where, text });
  }

  get pendingTexts(): number {
    return this.#texts.length;
  }

  /** Searches the operation's texts for its passwords, then forgets both. */
  settle(): Leak[] {
    const leaks: Leak[] = [];
    if (this.#passwords.length > 0) {
      for (const t of this.#texts) {
        const hit = this.#passwords.find((p) => t.text.includes(p.text));
        if (hit) leaks.push({ where: t.where, deviceId: hit.deviceId, text: t.text });
      }
    }
    this.#passwords = [];
    this.#texts = [];
    return leaks;
  }
}

/**
 * Finds any of `passwords` in `text` (a report, a log file). Hashes every window of each
 * password length present, so a large text and a large set cost one pass per distinct length.
 */
export function findPasswords(text: string, passwords: ReadonlySet<string>): boolean {
  if (passwords.size === 0) return false;
  const lengths = new Set<number>();
  for (const p of passwords) lengths.add(p.length);
  for (const len of lengths) {
    for (let i = 0; i + len <= text.length; i++) {
      if (passwords.has(text.slice(i, i + len))) return true;
    }
  }
  return false;
}
