/**
 * The fleet's own model of what Intune must do with LAPS policies, written from the rules
 * (laps-behaviour.md 11.1-11.2), not from the emulator's code: a policy reaches a device through a
 * group holding the device or its signed-in user, all devices, or all users while someone is
 * signed in, unless an exclusion group holds either; the policies reaching a device are merged
 * CSP node by node; two different values on one node are a conflict, and under a conflict the
 * device gets nothing new (it keeps what it last applied, or stays empty). Without a conflict the
 * device should converge to the merged values its OS build has nodes for.
 */
import { hasLapsCsp, parseOsBuild } from '../../csp/laps/nodes.js';
import { CSP_1_1_MIN_BUILD, formatSettingValue, settingByName, type SettingValue } from '../../csp/laps/settings.js';

/** Group names that stand for Graph's virtual targets. */
const ALL_DEVICES = 'all devices';
const ALL_USERS = 'all users';

interface PolicyModel {
  values: ReadonlyMap<string, SettingValue>;
  include: readonly string[];
  exclude: readonly string[];
}

/** What the rules say about one device. */
export interface Expectation {
  /** Two or more targeted policies set different values on a node. */
  readonly conflict: boolean;
  /** The policies that reach the device. */
  readonly policies: readonly string[];
  /** The policies involved in a conflict. */
  readonly conflicting: readonly string[];
  /**
   * The policies that report Conflict for the device: those in a conflict on a node its OS build
   * has (a device without the LAPS CSP reports Not applicable).
   */
  readonly reported: readonly string[];
  /** CSP node -> canonical text the device should hold; undefined under a conflict. */
  readonly desired: ReadonlyMap<string, string> | undefined;
}

/** The policies, their assignments and the user groups of a fleet, as the scenario set them. */
export class ConflictOracle {
  readonly #groupBit: ReadonlyMap<string, number>;
  readonly #userGroups: ReadonlyMap<string, number>;
  readonly #policies = new Map<string, PolicyModel>();
  readonly #cache = new Map<string, Expectation>();

  /**
   * @param groups group names, in bit order (a device's membership is a bitmask of them)
   * @param userGroups user name -> bitmask of the groups holding the user
   */
  constructor(groups: readonly string[], userGroups: ReadonlyMap<string, number>) {
    this.#groupBit = new Map(groups.map((g, i) => [g, i]));
    this.#userGroups = userGroups;
  }

  /** The bit of a group. */
  bit(group: string): number {
    return 1 << this.#groupBit.get(group)!;
  }

  setPolicy(name: string, values: ReadonlyMap<string, SettingValue>): void {
    const p = this.#policies.get(name);
    this.#policies.set(name, { values, include: p?.include ?? [], exclude: p?.exclude ?? [] });
    this.#cache.clear();
  }

  assign(name: string, include: readonly string[], exclude: readonly string[]): void {
    const p = this.#policies.get(name);
    if (p) this.#policies.set(name, { ...p, include, exclude });
    this.#cache.clear();
  }

  deletePolicy(name: string): void {
    this.#policies.delete(name);
    this.#cache.clear();
  }

  #matches(group: string, deviceGroups: number, userGroups: number, signedIn: boolean): boolean {
    if (group === ALL_DEVICES) return true;
    if (group === ALL_USERS) return signedIn;
    const b = this.#groupBit.get(group);
    return b !== undefined && (((deviceGroups | userGroups) >>> b) & 1) === 1;
  }

  /** What a device in these groups, with this user signed in (or none) and this OS build, should get. */
  expect(deviceGroups: number, user: string | undefined, osBuild: string): Expectation {
    const key = `${deviceGroups}|${user ?? ''}|${osBuild}`;
    let e = this.#cache.get(key);
    if (e) return e;
    const userGroups = user === undefined ? 0 : this.#userGroups.get(user) ?? 0;
    const signedIn = user !== undefined;
    const policies = [...this.#policies].filter(([, p]) =>
      p.include.some((g) => this.#matches(g, deviceGroups, userGroups, signedIn)) && !p.exclude.some((g) => this.#matches(g, deviceGroups, userGroups, false)))
      .map(([name]) => name).sort();
    const proposals = new Map<string, Map<string, string[]>>();
    for (const name of policies) {
      for (const [node, v] of this.#policies.get(name)!.values) {
        const text = `${typeof v}:${formatSettingValue(v)}`;
        const byValue = proposals.get(node) ?? new Map<string, string[]>();
        byValue.set(text, [...(byValue.get(text) ?? []), name]);
        proposals.set(node, byValue);
      }
    }
    const build = parseOsBuild(osBuild)?.build ?? 0;
    const lapsCsp = hasLapsCsp(osBuild);
    const onBuild = (node: string): boolean => lapsCsp && !(settingByName(node)?.cspVersion === '1.1' && build < CSP_1_1_MIN_BUILD);
    const conflicting = new Set<string>();
    const reported = new Set<string>();
    for (const [node, byValue] of proposals) {
      if (byValue.size < 2) continue;
      for (const names of byValue.values()) {
        names.forEach((n) => conflicting.add(n));
        if (onBuild(node)) names.forEach((n) => reported.add(n));
      }
    }
    let desired: Map<string, string> | undefined;
    if (conflicting.size === 0) {
      desired = new Map();
      for (const [node, byValue] of proposals) if (onBuild(node)) desired.set(node, [...byValue.keys()][0]!.replace(/^[a-z]+:/, ''));
    }
    e = { conflict: conflicting.size > 0, policies, conflicting: [...conflicting].sort(), reported: [...reported].sort(), desired };
    this.#cache.set(key, e);
    return e;
  }
}

/** True when the device's CSP values are exactly the desired ones. */
export function sameCspValues(device: ReadonlyMap<string, string>, desired: ReadonlyMap<string, string>): boolean {
  if (device.size !== desired.size) return false;
  for (const [k, v] of desired) if (device.get(k) !== v) return false;
  return true;
}
