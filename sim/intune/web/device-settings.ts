/**
 * A device's LAPS configuration as the portal's drill-down shows it (laps-behaviour.md 11.5): the
 * policies that reach it with their status, and each CSP setting with its status, the value on
 * the device, the profiles that set it and, for a conflict, the source profiles with the value
 * each wants ("Settings details"). Built from the device's view with conflicts.ts's functions,
 * so it says what the reports say.
 */
import type { SettingValue } from '../../../csp/laps/settings.js';
import { policyStatus, settingStates, worstStatus, type SettingStatus } from '../conflicts.js';
import { inNodeOrder } from '../csp-translate.js';
import type { DeviceView } from '../device-config.js';
import type { IntuneService } from '../intune-service.js';
import type { DeviceRecord } from '../policy-types.js';
import type { TargetedVia } from '../targeting.js';
import { html, type SafeHtml } from './html.js';
import { policyStatusText, settingName, statusClass, valueText } from './setting-labels.js';

/** A policy reaching the device. */
export interface DevicePolicy {
  readonly policyId: string;
  readonly name: string;
  readonly via: TargetedVia;
  readonly status: SettingStatus;
}

/** A profile's value for a setting. */
export interface ProfileValue {
  readonly policyId: string;
  readonly name: string;
  readonly value: SettingValue;
}

/** One CSP setting on the device. */
export interface DeviceSetting {
  readonly node: string;
  readonly status: SettingStatus;
  readonly onDevice: SettingValue | undefined;
  /** SyncML status of the failing command. */
  readonly code: number | undefined;
  /** Every profile that sets the node, with its value. */
  readonly sources: readonly ProfileValue[];
  /** True when the sources want different values. */
  readonly conflict: boolean;
}

/** The device's configuration. */
export interface DeviceConfiguration {
  readonly view: DeviceView;
  readonly policies: readonly DevicePolicy[];
  readonly settings: readonly DeviceSetting[];
}

/** Reads the device's configuration now. */
export function deviceConfiguration(service: IntuneService, device: DeviceRecord): DeviceConfiguration {
  const set = service.config.policySet();
  const v = service.config.view(device, set);
  const name = (id: string): string => set.policies.get(id)?.name ?? id;
  const policies: DevicePolicy[] = [];
  const byNode = new Map<string, { statuses: SettingStatus[]; code: number | undefined; sources: ProfileValue[] }>();
  for (const c of v.contributions) {
    const states = settingStates(c, v.merge, v.state);
    policies.push({ policyId: c.policyId, name: name(c.policyId), via: v.targeted.get(c.policyId)!, status: policyStatus(states, device.osVersion) });
    for (const s of states) {
      const e = byNode.get(s.node) ?? { statuses: [], code: undefined, sources: [] };
      e.statuses.push(s.status);
      e.code ??= s.code;
      e.sources.push({ policyId: c.policyId, name: name(c.policyId), value: s.value });
      byNode.set(s.node, e);
    }
  }
  const settings = inNodeOrder(byNode.keys()).map((node): DeviceSetting => {
    const e = byNode.get(node)!;
    return { node, status: worstStatus(e.statuses), onDevice: v.state.applied.get(node), code: e.code, sources: e.sources, conflict: v.merge.conflicts.has(node) };
  });
  return { view: v, policies, settings };
}

/** Links a profile when the caller may open policies. */
export type PolicyLink = (policyId: string, name: string) => SafeHtml;

/** The status pill of a policy status. */
export function statusPill(s: SettingStatus): SafeHtml {
  return html`<span class="pill ${statusClass(s)}">${policyStatusText(s)}</span>`;
}

/** The settings table: setting, status, value on the device, profiles (values shown when they conflict). */
export function settingsTable(settings: readonly DeviceSetting[], link: PolicyLink): SafeHtml {
  if (settings.length === 0) return html`<p class="empty">No LAPS setting reaches this device.</p>`;
  const rows = settings.map((s) => {
    const profiles = s.conflict
      ? html`<div><b>Conflict</b> between the source profiles:</div><ul class="conflicts">${s.sources.map((p) => html`<li>${link(p.policyId, p.name)}: ${valueText(s.node, p.value)}</li>`)}</ul>`
      : s.sources.map((p, i) => html`${i > 0 ? ', ' : ''}${link(p.policyId, p.name)}`);
    const error = s.code !== undefined && s.status === 'error' ? html` <span class="muted">(SyncML ${s.code})</span>` : '';
    return html`<tr data-setting="${s.node}"><td>${settingName(s.node)}</td><td>${statusPill(s.status)}${error}</td>
<td class="opt">${valueText(s.node, s.onDevice)}</td><td>${profiles}</td></tr>`;
  });
  return html`<div class="scroll"><table><thead><tr><th>Setting</th><th>Setting status</th><th class="opt">Value on the device</th><th>Source profiles</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}
