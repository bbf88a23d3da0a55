/**
 * /beta/deviceManagement/configurationPolicies: list, create, get, replace (PUT), merge (PATCH),
 * delete, the settings collection, the /assign action and the assignments collection, in
 * Graph's shapes (intune-graph.md sections 1, 5 and 6); plus lapsim's preview of the SyncML a
 * device would receive for a policy.
 */
import type { LocUri } from '../../../core/ids.js';
import { project } from '../../entra/odata-query.js';
import { serializeSyncml } from '../../../csp/syncml/serializer.js';
import { cmdIdCounter, policyCommands, policyCspValues } from '../csp-translate.js';
import { badRequest, notFound } from '../graph-failure.js';
import { describeIssues, importPolicy } from '../policy-import.js';
import { assignmentJson, policyJson, readAssignBody, readAssignment, settingsJson } from '../policy-graph.js';
import type { PolicyContent, PolicyRecord } from '../policy-types.js';
import { PERMISSIONS as P } from '../rbac.js';
import { MAX_POLICY_BODY_BYTES, requestOrigin, sendNoContent } from './graph-io.js';
import {
  body, collectionQuery, expandOf, idHeaders, odataContext, send, sendCollection, type RequestContext, type Route,
} from './route-context.js';

const BASE = '^/beta/deviceManagement/configurationPolicies';
/** `/{id}` or `('{id}')`. */
const ID = "(?:/([^/()']+)|\\('([^/()']+)'\\))";
const POLICY_PROPERTIES = [
  'id', 'name', 'description', 'platforms', 'technologies', 'roleScopeTagIds', 'settingCount', 'creationSource', 'priorityMetaData', 'isAssigned',
  'createdDateTime', 'lastModifiedDateTime', 'templateReference', 'settings', 'assignments',
] as const;
const POLICY_TYPE = 'microsoft.graph.deviceManagementConfigurationPolicy';

function policyId(ctx: RequestContext): string {
  return (ctx.params[0] ?? ctx.params[1])!;
}

function render(ctx: RequestContext, p: PolicyRecord, expand: ReadonlySet<string>): Record<string, unknown> {
  const s = ctx.service.policies;
  const assignments = s.assignments(p.id);
  return policyJson(p, { isAssigned: assignments.length > 0, settings: expand.has('settings'), ...(expand.has('assignments') ? { assignments } : {}) });
}

function contextFragment(expand: ReadonlySet<string>, entity: boolean): string {
  const nav = [...expand].map((x) => `${x}()`).join(',');
  return `deviceManagement/configurationPolicies${nav === '' ? '' : `(${nav})`}${entity ? '/$entity' : ''}`;
}

async function readPolicy(ctx: RequestContext, mode: 'create' | 'replace' | 'patch'): Promise<Partial<PolicyContent>> {
  const raw = await body(ctx, MAX_POLICY_BODY_BYTES);
  const r = importPolicy(raw, mode);
  if (!r.ok) throw badRequest(describeIssues(r.issues));
  return r.content;
}

async function list(ctx: RequestContext): Promise<void> {
  const expand = expandOf(ctx, ['settings', 'assignments']);
  const q = collectionQuery(ctx, { properties: POLICY_PROPERTIES, type: POLICY_TYPE });
  sendCollection(ctx, contextFragment(expand, false), ctx.service.policies.list().map((p) => render(ctx, p, expand)), q);
}

async function create(ctx: RequestContext): Promise<void> {
  const content = (await readPolicy(ctx, 'create')) as PolicyContent;
  const p = ctx.service.policies.create(content, ctx.actor);
  send(ctx, 201, { '@odata.context': odataContext(ctx, 'deviceManagement/configurationPolicies/$entity'), ...render(ctx, p, new Set()) },
    { Location: `${requestOrigin(ctx.req)}/beta/deviceManagement/configurationPolicies('${p.id}')` });
}

async function get(ctx: RequestContext): Promise<void> {
  const expand = expandOf(ctx, ['settings', 'assignments']);
  const q = collectionQuery(ctx, { properties: POLICY_PROPERTIES, type: POLICY_TYPE });
  const p = ctx.service.policies.get(policyId(ctx));
  send(ctx, 200, { '@odata.context': odataContext(ctx, contextFragment(expand, true)), ...project(render(ctx, p, expand), q.select, ['id', ...expand]) });
}

async function replace(ctx: RequestContext): Promise<void> {
  const id = ctx.service.policies.get(policyId(ctx)).id;
  const content = (await readPolicy(ctx, 'replace')) as PolicyContent;
  const p = ctx.service.policies.replace(id, content, ctx.actor);
  send(ctx, 200, { '@odata.context': odataContext(ctx, 'deviceManagement/configurationPolicies/$entity'), ...render(ctx, p, new Set(['settings'])) });
}

async function patch(ctx: RequestContext): Promise<void> {
  const id = ctx.service.policies.get(policyId(ctx)).id;
  const content = await readPolicy(ctx, 'patch');
  const p = ctx.service.policies.patch(id, content, ctx.actor);
  send(ctx, 200, { '@odata.context': odataContext(ctx, 'deviceManagement/configurationPolicies/$entity'), ...render(ctx, p, new Set()) });
}

function remove(ctx: RequestContext): void {
  ctx.service.policies.delete(policyId(ctx), ctx.actor);
  sendNoContent(ctx.res, idHeaders(ctx));
}

function settings(ctx: RequestContext): void {
  const p = ctx.service.policies.get(policyId(ctx));
  const q = collectionQuery(ctx, { properties: ['id', 'settingInstance'], type: 'microsoft.graph.deviceManagementConfigurationSetting' });
  sendCollection(ctx, `deviceManagement/configurationPolicies('${p.id}')/settings`, settingsJson(p), q);
}

async function assign(ctx: RequestContext): Promise<void> {
  const id = ctx.service.policies.get(policyId(ctx)).id;
  const targets = readAssignBody(await body(ctx));
  const out = ctx.service.policies.assign(id, targets, ctx.actor);
  send(ctx, 200, { '@odata.context': odataContext(ctx, 'Collection(microsoft.graph.deviceManagementConfigurationPolicyAssignment)'), value: out.map(assignmentJson) });
}

function assignments(ctx: RequestContext): void {
  const p = ctx.service.policies.get(policyId(ctx));
  const q = collectionQuery(ctx, { properties: ['id', 'source', 'sourceId', 'target'], type: 'microsoft.graph.deviceManagementConfigurationPolicyAssignment' });
  sendCollection(ctx, `deviceManagement/configurationPolicies('${p.id}')/assignments`, ctx.service.policies.assignments(p.id).map(assignmentJson), q);
}

async function addAssignment(ctx: RequestContext): Promise<void> {
  const id = ctx.service.policies.get(policyId(ctx)).id;
  const target = readAssignment(await body(ctx), 'body');
  const a = ctx.service.policies.addAssignment(id, target, ctx.actor);
  send(ctx, 201, { '@odata.context': odataContext(ctx, `deviceManagement/configurationPolicies('${id}')/assignments/$entity`), ...assignmentJson(a) });
}

function assignment(ctx: RequestContext): void {
  const p = ctx.service.policies.get(policyId(ctx));
  const aid = ctx.params[2]!.toLowerCase();
  const a = ctx.service.policies.assignments(p.id).find((x) => x.id === aid);
  if (!a) throw notFound('DeviceManagementConfigurationPolicyAssignment', aid);
  send(ctx, 200, { '@odata.context': odataContext(ctx, `deviceManagement/configurationPolicies('${p.id}')/assignments/$entity`), ...assignmentJson(a) });
}

function deleteAssignment(ctx: RequestContext): void {
  ctx.service.policies.deleteAssignment(policyId(ctx), ctx.params[2]!, ctx.actor);
  sendNoContent(ctx.res, idHeaders(ctx));
}

/** GET /lapsim/intune/configurationPolicies/{id}/syncml: the SyncML a device holding no LAPS values would receive. */
function syncmlPreview(ctx: RequestContext): void {
  const p = ctx.service.policies.get(ctx.params[0]!);
  const { body: commands } = policyCommands(policyCspValues(p.settings), new Map(), cmdIdCounter(1));
  const text = serializeSyncml({
    header: { verDtd: '1.2', verProto: 'DM/1.2', sessionId: '1', msgId: '2', target: { locUri: 'lapsim-device' as LocUri }, source: { locUri: 'lapsim-server' as LocUri } },
    body: commands, final: true,
  }, { indent: 2 });
  ctx.res.writeHead(200, { 'Content-Type': 'application/vnd.syncml.dm+xml; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...idHeaders(ctx) });
  ctx.res.end(text);
}

const ASSIGNMENT = `${BASE}${ID}/assignments`;

/** The policy routes. */
export const POLICY_ROUTES: readonly Route[] = [
  { name: 'policies.list', method: 'GET', pattern: new RegExp(`${BASE}$`), need: { allOf: [P.policyRead] }, run: list },
  { name: 'policies.create', method: 'POST', pattern: new RegExp(`${BASE}$`), need: { allOf: [P.policyCreate] }, run: create },
  { name: 'policies.get', method: 'GET', pattern: new RegExp(`${BASE}${ID}$`), need: { allOf: [P.policyRead] }, run: get },
  { name: 'policies.replace', method: 'PUT', pattern: new RegExp(`${BASE}${ID}$`), need: { allOf: [P.policyUpdate] }, run: replace },
  { name: 'policies.patch', method: 'PATCH', pattern: new RegExp(`${BASE}${ID}$`), need: { allOf: [P.policyUpdate] }, run: patch },
  { name: 'policies.delete', method: 'DELETE', pattern: new RegExp(`${BASE}${ID}$`), need: { allOf: [P.policyDelete] }, run: remove },
  { name: 'policies.settings', method: 'GET', pattern: new RegExp(`${BASE}${ID}/settings$`), need: { allOf: [P.policyRead] }, run: settings },
  { name: 'policies.assign', method: 'POST', pattern: new RegExp(`${BASE}${ID}/(?:microsoft\\.graph\\.)?assign$`), need: { allOf: [P.policyAssign] }, run: assign },
  { name: 'policies.assignments.list', method: 'GET', pattern: new RegExp(`${ASSIGNMENT}$`), need: { allOf: [P.policyRead] }, run: assignments },
  { name: 'policies.assignments.create', method: 'POST', pattern: new RegExp(`${ASSIGNMENT}$`), need: { allOf: [P.policyAssign] }, run: addAssignment },
  { name: 'policies.assignments.get', method: 'GET', pattern: new RegExp(`${ASSIGNMENT}/([^/]+)$`), need: { allOf: [P.policyRead] }, run: assignment },
  { name: 'policies.assignments.delete', method: 'DELETE', pattern: new RegExp(`${ASSIGNMENT}/([^/]+)$`), need: { allOf: [P.policyAssign] }, run: deleteAssignment },
  { name: 'policies.syncml', method: 'GET', pattern: /^\/lapsim\/intune\/configurationPolicies\/([^/]+)\/syncml$/, need: { allOf: [P.policyRead] }, run: syncmlPreview },
];
