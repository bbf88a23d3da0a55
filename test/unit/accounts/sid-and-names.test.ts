import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../core/seeded-rng.js';
import {
  accountSid, BUILTIN_ADMINISTRATORS_SID, formatSid, isAccountDomainSid, isSid, normalizeSid, parseSid, randomMachineDomainSid, ridOf,
} from '../../../agent/accounts/sid.js';
import { accountNameProblem, foldAccountName, sameAccountName } from '../../../agent/accounts/account-name.js';

describe('SIDs', () => {
  it('parses and formats the S- form', () => {
    expect(parseSid('S-1-5-21-1004336348-1177238915-682003330-500')).toEqual({
      revision: 1, authority: 5, subAuthorities: [21, 1004336348, 1177238915, 682003330, 500],
    });
    expect(parseSid(BUILTIN_ADMINISTRATORS_SID)).toEqual({ revision: 1, authority: 5, subAuthorities: [32, 544] });
    expect(formatSid({ revision: 1, authority: 5, subAuthorities: [32, 544] })).toBe('S-1-5-32-544');
    expect(formatSid({ revision: 1, authority: 2 ** 32, subAuthorities: [1] })).toBe('S-1-0x000100000000-1');
    expect(normalizeSid('s-1-0x000000000005-032-544')).toBe('S-1-5-32-544');
    expect(normalizeSid('S-1-1-0')).toBe('S-1-1-0');
  });

  it('refuses what is not a SID', () => {
    const bad = [
      '', 'BA', 'DOMAIN\\LAPSAdmins', 'LAPSAdmins@contoso.com', 'S-1', 'S-2-5-32-544', 'X-1-5-32-544', 'S-1-5-x', 'S-1-5-32-',
      'S-1-5-21-4294967296', 'S-1-281474976710656-1', 'S-1-5- 32', `S-1-5${'-1'.repeat(16)}`, 'S-1-0x5-32',
    ];
    for (const s of bad) expect(isSid(s), s).toBe(false);
    expect(isSid(`S-1-5${'-1'.repeat(15)}`)).toBe(true);
    expect(isSid('S-1-5-21-4294967295')).toBe(true);
  });

  it('builds account SIDs from the machine domain SID and reads their RID back', () => {
    const domain = 'S-1-5-21-1004336348-1177238915-682003330';
    expect(accountSid(domain, 500)).toBe(`${domain}-500`);
    expect(accountSid(domain, 1001)).toBe(`${domain}-1001`);
    expect(ridOf(accountSid(domain, 1001))).toBe(1001);
    expect(ridOf('S-1-5')).toBeUndefined();
    expect(() => accountSid('S-1-5-32', 500)).toThrow(RangeError);
    expect(() => accountSid(domain, -1)).toThrow(RangeError);
    expect(isAccountDomainSid(domain)).toBe(true);
    expect(isAccountDomainSid(`${domain}-500`)).toBe(false);
  });

  it('draws machine domain SIDs from the given Rng', () => {
    const a = randomMachineDomainSid(new SeededRng(1));
    expect(a).toMatch(/^S-1-5-21-\d+-\d+-\d+$/);
    expect(isAccountDomainSid(a)).toBe(true);
    expect(randomMachineDomainSid(new SeededRng(1))).toBe(a);
    expect(randomMachineDomainSid(new SeededRng(2))).not.toBe(a);
    const seen = new Set(Array.from({ length: 100 }, (_, i) => randomMachineDomainSid(new SeededRng(i))));
    expect(seen.size).toBe(100);
  });
});

describe('account names', () => {
  it('compare per character upper case, as Windows does', () => {
    expect(sameAccountName('administrator', 'ADMINISTRATOR')).toBe(true);
    expect(sameAccountName('järjestelmänvalvoja', 'JÄRJESTELMÄNVALVOJA')).toBe(true);
    expect(sameAccountName('Straße', 'STRASSE')).toBe(false);
    expect(foldAccountName('Straße')).toBe('STRAßE');
    expect(sameAccountName('Admin', 'Admin ')).toBe(false);
  });

  it('follow the SAM rules', () => {
    expect(accountNameProblem('WLapsAdmin12345678')).toBeUndefined();
    expect(accountNameProblem('Administrateur')).toBeUndefined();
    expect(accountNameProblem('a b.c-d_e')).toBeUndefined();
    for (const bad of ['', 'x'.repeat(21), 'a"b', 'a/b', 'a\\b', 'a[b', 'a]b', 'a:b', 'a;b', 'a|b', 'a=b', 'a,b', 'a+b', 'a*b', 'a?b', 'a<b', 'a>b', 'a@b', 'a\u0001', '.', '  ', '. .']) {
      expect(accountNameProblem(bad), JSON.stringify(bad)).toBeTypeOf('string');
    }
  });
});
