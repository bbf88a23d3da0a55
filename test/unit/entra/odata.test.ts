import { describe, expect, it } from 'vitest';
import { compileFilter, FilterError, MAX_FILTER_LENGTH } from '../../../sim/entra/odata-filter.js';
import { pageOf, parseQuery, QueryError } from '../../../sim/entra/odata-query.js';

const audit = {
  activityDisplayName: 'Recover device local administrator password', activityDateTime: '2026-03-01T09:00:00.0000000Z',
  loggedByService: 'Device Registration Service', result: 'success',
  initiatedBy: { app: null, user: { userPrincipalName: 'Admin@Contoso.com', id: 'u-1' } },
  targetResources: [{ id: '1f0e98f5-3161-4c6b-9b50-d488572f2bb7', displayName: 'PC-0142', type: 'Device' }],
};

describe('$filter', () => {
  const cases: [string, boolean][] = [
    ["activityDisplayName eq 'Recover device local administrator password'", true],
    ["activityDisplayName eq 'recover DEVICE local administrator password'", true],
    ["activityDisplayName ne 'Recover device local administrator password'", false],
    ["startswith(activityDisplayName, 'Recover')", true],
    ["endswith(activityDisplayName,'password') and contains(loggedByService,'Registration')", true],
    ['activityDateTime ge 2026-03-01T09:00:00Z', true],
    ['activityDateTime gt 2026-03-01T09:00:00Z', false],
    ['activityDateTime lt 2026-03-01T10:00:00+01:00', false],
    ["initiatedBy/user/userPrincipalName eq 'admin@contoso.com'", true],
    ['initiatedBy/app eq null', true],
    ["targetResources/any(t: t/id eq '1f0e98f5-3161-4c6b-9b50-d488572f2bb7')", true],
    ['targetResources/any(t: t/id eq 1f0e98f5-3161-4c6b-9b50-d488572f2bb7)', true],
    ["targetResources/any(t:t/displayName eq 'PC-9999')", false],
    ["targetResources/all(t: t/type eq 'Device')", true],
    ["not (result eq 'failure') and (loggedByService eq 'x' or result eq 'success')", true],
    ["result eq 'it''s'", false],
    ["tolower(initiatedBy/user/userPrincipalName) eq 'admin@contoso.com'", true],
    ["missing/property eq 'x'", false],
  ];
  it.each(cases)('%s -> %s', (filter, want) => {
    expect(compileFilter(filter)(audit)).toBe(want);
  });

  it('refuses what it cannot parse, and bounds length and depth', () => {
    for (const bad of ["activityDisplayName eq", "eq 'x'", "startswith(a)", "a eq 'unterminated", 'a eq )', "targetResources/any(t t/id eq 'x')", '#', 'a eq 1 b']) {
      expect(() => compileFilter(bad), bad).toThrow(FilterError);
    }
    expect(() => compileFilter(`a eq '${'x'.repeat(MAX_FILTER_LENGTH)}'`)).toThrow(FilterError);
    expect(() => compileFilter(`${'('.repeat(100)}a eq 1${')'.repeat(100)}`)).toThrow(/nests too deeply/);
    expect(() => compileFilter(`${'not '.repeat(100)}a eq 1`)).toThrow(/nests too deeply/);
  });
});

describe('query options', () => {
  const rules = { properties: ['id', 'deviceName', 'lastBackupDateTime'], defaultTop: 2, maxTop: 999 };
  const items = [{ id: 'a', deviceName: 'PC-B' }, { id: 'b', deviceName: 'pc-a' }, { id: 'c', deviceName: 'PC-C' }];

  it('accepts the options with or without $, case-insensitive property names', () => {
    const q = parseQuery(new URLSearchParams('select=DEVICENAME,id&top=5&$orderby=deviceName desc&$count=true'), rules, 'T');
    expect(q).toMatchObject({ select: ['deviceName', 'id'], top: 5, count: true, orderBy: { property: 'deviceName', descending: true } });
    expect(pageOf(items, q).items.map((x) => x.id)).toEqual(['c', 'a', 'b']);
  });

  it('pages with a skip token', () => {
    const first = pageOf(items, parseQuery(new URLSearchParams(''), rules, 'T'));
    expect(first).toMatchObject({ total: 3, nextSkip: 2 });
    expect(first.items.map((x) => x.id)).toEqual(['a', 'b']);
  });

  it('refuses unknown properties, bad numbers, forged tokens and unsupported options', () => {
    for (const bad of ['$select=password', '$top=0', '$top=1000', '$top=1e3', '$skiptoken=abc', '$expand=x', '$search=x', '$orderby=nope', '$count=maybe']) {
      expect(() => parseQuery(new URLSearchParams(bad), rules, 'T'), bad).toThrow(QueryError);
    }
  });
});
