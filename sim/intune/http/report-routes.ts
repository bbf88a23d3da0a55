/**
 * Reports and the audit log. Graph's reporting actions answer tables
 * (`POST /beta/deviceManagement/reports/<action>` with a filter on PolicyId or IntuneDeviceId,
 * intune-graph.md 10); lapsim's own report paths answer plain JSON objects, or CSV with
 * `?$format=csv` (or `Accept: text/csv`). The audit log is GET /beta/deviceManagement/auditEvents.
 */
import { badRequest, notFound } from '../graph-failure.js';
import { PERMISSIONS as P } from '../rbac.js';
import type { ReportTable } from '../reports.js';
import { sendCsv, toCsv } from './graph-io.js';
import { body, collectionQuery, odataContext, queryOption, send, sendCollection, type RequestContext, type Route } from './route-context.js';

type Subject = 'PolicyId' | 'IntuneDeviceId';

/** The id a report's filter names: `(PolicyId eq '...')`. @throws GraphFailure 400 */
function filterId(raw: unknown, subject: Subject): string {
  const m = typeof raw === 'string' ? new RegExp(`\\b${subject}\\s+eq\\s+'([^']{1,100})'`, 'i').exec(raw) : null;
  if (!m) throw badRequest(`The report needs a filter such as (${subject} eq '<id>').`);
  return m[1]!;
}

function bounded(raw: unknown, name: string, dflt: number, max: number): number {
  if (raw === undefined || raw === null) return dflt;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > max) throw badRequest(`${name} must be an integer from 0 to ${max}.`);
  return raw;
}

/** A table in the reporting service's shape: TotalRowCount, Schema, Values, SessionId. */
function graphTable(t: ReportTable, b: Record<string, unknown>): Record<string, unknown> {
  const select = b['select'];
  let cols = t.columns.map((c, i) => ({ ...c, i }));
  if (Array.isArray(select) && select.length > 0) {
    cols = select.map((s) => {
      const found = cols.find((c) => typeof s === 'string' && c.name.toLowerCase() === s.toLowerCase());
      if (!found) throw badRequest(`Unknown column '${String(s).slice(0, 60)}' in select.`);
      return found;
    });
  }
  const skip = bounded(b['skip'], 'skip', 0, 1_000_000);
  const top = bounded(b['top'], 'top', 50, 10_000) || 50;
  const rows = t.rows.slice(skip, skip + top).map((r) => cols.map((c) => r[c.i]));
  return { TotalRowCount: t.rows.length, Schema: cols.map((c) => ({ Column: c.name, PropertyType: c.type })), Values: rows, SessionId: '' };
}

function graphReport(subject: Subject, build: (ctx: RequestContext, id: string) => ReportTable): (ctx: RequestContext) => Promise<void> {
  return async (ctx) => {
    const b = await body(ctx);
    send(ctx, 200, graphTable(build(ctx, filterId(b['filter'], subject)), b));
  };
}

function wantsCsv(ctx: RequestContext): boolean {
  const f = queryOption(ctx, 'format');
  if (f !== null) {
    if (f.toLowerCase() === 'csv') return true;
    if (f.toLowerCase() === 'json') return false;
    throw badRequest(`$format must be json or csv, not '${f.slice(0, 20)}'.`);
  }
  return (ctx.req.headers.accept ?? '').toLowerCase().startsWith('text/csv');
}

function objects(t: ReportTable): Record<string, unknown>[] {
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.name, r[i] ?? null])));
}

function answer(ctx: RequestContext, t: ReportTable, extra: Record<string, unknown> = {}): void {
  if (wantsCsv(ctx)) sendCsv(ctx.res, toCsv(t.columns.map((c) => c.name), t.rows), { 'request-id': ctx.requestId });
  else send(ctx, 200, { ...extra, value: objects(t) });
}

function policy(ctx: RequestContext): string {
  return ctx.service.policies.get(ctx.params[0]!).id;
}

const AUDIT_PROPS = ['id', 'displayName', 'componentName', 'actor', 'activity', 'activityDateTime', 'activityType', 'activityOperationType',
  'activityResult', 'correlationId', 'resources', 'category'];

function auditList(ctx: RequestContext): void {
  const q = collectionQuery(ctx, { properties: AUDIT_PROPS, type: 'microsoft.graph.auditEvent', defaultTop: 1000 });
  sendCollection(ctx, 'deviceManagement/auditEvents', ctx.service.auditEvents(), q);
}

function auditOne(ctx: RequestContext): void {
  const id = ctx.params[0]!.toLowerCase();
  const e = ctx.service.auditEvents().find((x) => (x as { id?: string }).id === id);
  if (!e) throw notFound('AuditEvent', id);
  send(ctx, 200, { '@odata.context': odataContext(ctx, 'deviceManagement/auditEvents/$entity'), ...e });
}

const REPORTS = '^/beta/deviceManagement/reports';
const LAPSIM = '^/lapsim/intune/reports';

/** The report and audit routes. */
export const REPORT_ROUTES: readonly Route[] = [
  {
    name: 'reports.policyDevices', method: 'POST', pattern: new RegExp(`${REPORTS}/getConfigurationPolicyDevicesReport$`), need: { allOf: [P.policyRead] },
    run: graphReport('PolicyId', (ctx, id) => ctx.service.reports.policyDevices(ctx.service.policies.get(id).id)),
  },
  {
    name: 'reports.policySettings', method: 'POST', pattern: new RegExp(`${REPORTS}/getConfigurationPolicySettingsDeviceSummaryReport$`),
    need: { allOf: [P.policyRead] }, run: graphReport('PolicyId', (ctx, id) => ctx.service.reports.policySettings(ctx.service.policies.get(id).id)),
  },
  {
    name: 'reports.devicePolicies', method: 'POST', pattern: new RegExp(`${REPORTS}/getConfigurationPoliciesReportForDevice$`),
    need: { allOf: [P.devicesRead] }, run: graphReport('IntuneDeviceId', (ctx, id) => ctx.service.reports.devicePolicies(ctx.service.directory.device(id))),
  },
  {
    name: 'reports.deviceSettings', method: 'POST', pattern: new RegExp(`${REPORTS}/getConfigurationSettingsReport$`),
    need: { allOf: [P.devicesRead] }, run: graphReport('IntuneDeviceId', (ctx, id) => ctx.service.reports.deviceSettings(ctx.service.directory.device(id))),
  },
  {
    name: 'lapsimReports.policyDeviceStatus', method: 'GET', pattern: new RegExp(`${LAPSIM}/policies/([^/]+)/deviceStatus$`), need: { allOf: [P.policyRead] },
    run: (ctx) => {
      const id = policy(ctx);
      answer(ctx, ctx.service.reports.policyDevices(id), { policyId: id, summary: ctx.service.reports.policySummary(id) });
    },
  },
  {
    name: 'lapsimReports.policySettingStatus', method: 'GET', pattern: new RegExp(`${LAPSIM}/policies/([^/]+)/settingStatus$`), need: { allOf: [P.policyRead] },
    run: (ctx) => answer(ctx, ctx.service.reports.policySettings(policy(ctx))),
  },
  {
    name: 'lapsimReports.deviceSettings', method: 'GET', pattern: new RegExp(`${LAPSIM}/devices/([^/]+)/settings$`), need: { allOf: [P.devicesRead] },
    run: (ctx) => answer(ctx, ctx.service.reports.deviceSettings(ctx.service.directory.device(ctx.params[0]!))),
  },
  {
    name: 'lapsimReports.devicePolicies', method: 'GET', pattern: new RegExp(`${LAPSIM}/devices/([^/]+)/policies$`), need: { allOf: [P.devicesRead] },
    run: (ctx) => answer(ctx, ctx.service.reports.devicePolicies(ctx.service.directory.device(ctx.params[0]!))),
  },
  {
    name: 'lapsimReports.lapsDevices', method: 'GET', pattern: new RegExp(`${LAPSIM}/lapsDevices$`), need: { allOf: [P.devicesRead] },
    run: (ctx) => answer(ctx, ctx.service.reports.lapsDevices()),
  },
  { name: 'auditEvents.list', method: 'GET', pattern: /^\/beta\/deviceManagement\/auditEvents$/, need: { allOf: [P.auditRead] }, run: auditList },
  { name: 'auditEvents.get', method: 'GET', pattern: /^\/beta\/deviceManagement\/auditEvents\/([^/]+)$/, need: { allOf: [P.auditRead] }, run: auditOne },
];
