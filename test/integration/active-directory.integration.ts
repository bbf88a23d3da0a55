/**
 * Active Directory against a real Samba AD DC (Debian's `samba`), started once for this file. A DC
 * listens on fixed ports, so every AD suite lives here and runs serially, in this order; the DC
 * stops at the end (and with this process: `samba -i` exits when its stdin closes).
 *
 * Needs samba and the built CLI (`npm test` builds). Concurrent runs on one machine (other
 * checkouts) take turns through a lock file in the temp folder. Set LAPSIM_SKIP_AD=1 to skip on a machine
 * without samba; otherwise a missing samba fails the file rather than hiding it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sambaInstalled } from '../../sim/ad/samba-dc.js';
import { acquireAdTestLock, AdLab } from './ad/ad-lab.js';
import { adminScenarios } from './ad/admin-scenarios.js';
import { failureScenarios } from './ad/failure-scenarios.js';
import { formatScenarios } from './ad/format-scenarios.js';
import { setupScenarios } from './ad/setup-scenarios.js';

const skip = process.env['LAPSIM_SKIP_AD'] === '1';

describe.skipIf(skip)('Active Directory (Samba AD DC)', () => {
  const lab = new AdLab();
  let release: (() => void) | undefined;

  beforeAll(async () => {
    expect(sambaInstalled(), 'samba is not installed: apt-get install -y samba ldap-utils (or LAPSIM_SKIP_AD=1)').toBe(true);
    release = await acquireAdTestLock(300_000);
    await lab.start();
  }, 420_000);

  afterAll(async () => {
    try {
      await lab.stop();
    } finally {
      release?.();
    }
  }, 60_000);

  it('runs a DC that answers LDAPS with its own certificate at the 2016 functional level', async () => {
    const root = await lab.admin(async (_s, r) => r);
    expect(root).toMatchObject({ defaultNamingContext: 'DC=lapsim,DC=test', dnsHostName: 'DC1.lapsim.test', domainFunctionality: 7 });
    expect(lab.lab?.provisioned).toBe(true);
  });

  setupScenarios(lab);
  formatScenarios(lab);
  adminScenarios(lab);
  failureScenarios(lab);
});
