/**
 * The `none` directory: the device has nowhere to escrow. Every backup fails, so LAPS never
 * changes the local password (directory first: no password is ever lost).
 */
import { EscrowError } from '../../core/errors.js';
import type { DirectoryBackend, DirectoryView, StoredCredential } from '../ports.js';

export class NoDirectory implements DirectoryBackend {
  readonly kind = 'none' as const;

  async view(): Promise<DirectoryView> {
    return {};
  }

  async backup(): Promise<void> {
    throw new EscrowError('LAPS_ERR_ESCROW_UNAVAILABLE', 'no directory is configured for this device (directory none)', { retryable: true });
  }

  async credentials(): Promise<StoredCredential[]> {
    return [];
  }
}
