/** The local password policy check behind event 10027. */
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../core/secret.js';
import { SeededRng } from '../../../core/seeded-rng.js';
import { generatePassword } from '../../../agent/password/generator.js';
import { type LocalPasswordPolicy, checkLocalPasswordPolicy } from '../../../agent/password/local-policy.js';

const COMPLEX: LocalPasswordPolicy = { minLength: 14, complexityEnabled: true };

describe('checkLocalPasswordPolicy', () => {
  it.each([
    ['Abcdefghijklm1', COMPLEX, [], 3],
    ['Abcdefghijkl1', COMPLEX, ['too-short'], 3],
    ['ABCDEFGHIJKLMNabcdefgh', COMPLEX, ['too-few-categories'], 2],
    ['abc123!!!!!!!!', COMPLEX, [], 3],
    ['Aa1!Aa1!Aa1!Aa', COMPLEX, [], 4],
    ['ÄÖÜäöü日本語12345', COMPLEX, [], 4],
    ['aaaa€€€€ 1111111', COMPLEX, ['too-few-categories'], 2], // the euro sign and the space do not count
    ['', {}, [], 0],
    ['short', { minLength: 8 }, ['too-short'], 1],
    ['lowercaseonly', { complexityEnabled: false, minLength: 0 }, [], 1],
  ] as const)('%j', (password, policy, violations, categories) => {
    const r = checkLocalPasswordPolicy(password, policy);
    expect(r.violations).toEqual(violations);
    expect(r.ok).toBe(violations.length === 0);
    expect(r.categories).toBe(categories);
  });

  it('with complexity on, refuses the account name and full-name tokens of 3+ characters', () => {
    const policy = { complexityEnabled: true, accountName: 'WLapsAdmin', fullName: 'Local Admin-Account Jo' };
    expect(checkLocalPasswordPolicy('x1!wlapsadminZ', policy).violations).toEqual(['contains-account-name', 'contains-full-name']);
    expect(checkLocalPasswordPolicy('x1!ACCOUNTz', policy).violations).toEqual(['contains-full-name']);
    expect(checkLocalPasswordPolicy('x1!JoZ', policy).violations).toEqual([]);
    expect(checkLocalPasswordPolicy('x1!AbZ', { complexityEnabled: true, accountName: 'Ab' }).ok).toBe(true);
    // Names are not checked with complexity off.
    expect(checkLocalPasswordPolicy('wlapsadmin', { accountName: 'WLapsAdmin' }).ok).toBe(true);
  });

  it('judges generated passwords by their complexity, and never puts the password in the verdict', () => {
    const rng = new SeededRng('policy');
    const verdict = (complexity: number): boolean => checkLocalPasswordPolicy(generatePassword({ complexity, length: 14 }, rng), COMPLEX).ok;
    for (let i = 0; i < 200; i++) {
      expect([1, 2, 3, 4, 5, 6, 7, 8].map(verdict)).toEqual([false, false, true, true, true, false, false, false]);
    }
    const secret = new Secret('Abcdefghijklm1');
    expect(JSON.stringify(checkLocalPasswordPolicy(secret, COMPLEX))).not.toContain('Abcdefghijklm1');
  });
});
