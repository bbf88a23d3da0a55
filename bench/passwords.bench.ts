/**
 * Password figures: generation (CryptoRng, as a real device), the NT hash every rotation stores, and
 * the local policy check every rotation runs. Goal from issue 3: >= 1,000,000 passwords/s.
 */
import { CryptoRng } from '../core/rng.js';
import type { Secret } from '../core/secret.js';
import { generatePassword } from '../agent/password/generator.js';
import { checkLocalPasswordPolicy } from '../agent/password/local-policy.js';
import { ntHash } from '../agent/password/nt-hash.js';
import { opsPerSecond, type Report } from './report.js';

const GOAL = { op: '>=', value: 1_000_000 } as const;

export function run(report: Report): void {
  const rng = new CryptoRng();
  let sink = 0;
  const keep = (s: Secret): void => {
    sink += s.length;
  };

  const c4 = { complexity: 4, length: 14 };
  report({ name: 'password, complexity 4, length 14 (CryptoRng)', value: opsPerSecond(() => keep(generatePassword(c4, rng))), unit: 'passwords/s', goal: GOAL });
  const c5 = { complexity: 5, length: 14 };
  report({ name: 'password, complexity 5, length 14 (CryptoRng)', value: opsPerSecond(() => keep(generatePassword(c5, rng))), unit: 'passwords/s' });
  const c4long = { complexity: 4, length: 64 };
  report({ name: 'password, complexity 4, length 64 (CryptoRng)', value: opsPerSecond(() => keep(generatePassword(c4long, rng))), unit: 'passwords/s' });
  const p6 = { complexity: 6, passphraseLength: 6 };
  report({ name: 'passphrase, 6 words, EFF long list (CryptoRng)', value: opsPerSecond(() => keep(generatePassword(p6, rng))), unit: 'passphrases/s', goal: GOAL });
  const p8 = { complexity: 8, passphraseLength: 6 };
  report({ name: 'passphrase, 6 words, EFF short list 2.0 (CryptoRng)', value: opsPerSecond(() => keep(generatePassword(p8, rng))), unit: 'passphrases/s' });

  const pw = generatePassword(c4, rng);
  report({ name: 'NT hash (MD4 of UTF-16LE), 14 characters', value: opsPerSecond(() => (sink += ntHash(pw)[0]!)), unit: 'hashes/s' });
  const phrase = generatePassword(p6, rng);
  report({ name: 'NT hash, 6-word long-list passphrase (usually 2 blocks)', value: opsPerSecond(() => (sink += ntHash(phrase)[0]!)), unit: 'hashes/s' });

  const policy = { minLength: 14, complexityEnabled: true, accountName: 'Administrator' };
  report({ name: 'local password policy check, 14 characters', value: opsPerSecond(() => (sink += checkLocalPasswordPolicy(pw, policy).categories)), unit: 'checks/s' });
  report({
    name: 'generate + policy check + NT hash (one rotation\'s password work)',
    value: opsPerSecond(() => {
      const p = generatePassword(c4, rng);
      if (checkLocalPasswordPolicy(p, policy).ok) sink += ntHash(p)[0]!;
    }),
    unit: 'passwords/s',
  });
  if (sink === -1) console.log('unreachable');
}
