/**
 * POST /lapsim/fleet/events: where a fleet runner in another process (or any tool that owns
 * devices) reports the LAPS events its devices logged, for the fleet overview's "Failures by
 * event ID". It is lapsim's admin API: the master admin token (permission lapsim.Admin) only.
 * Body: `{ "events": [ { "deviceId": "<Entra deviceId>", "id": 10028, "level": "Error",
 * "time": "2026-03-01T09:00:00Z" | 1772355600000 } ] }`, at most 1,000 events (256 KiB); answers 202
 * with the number accepted. Errors have Graph's error shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphFailure, badRequest } from '../graph-failure.js';
import { bearerToken, readJsonBody, sendJson } from '../http/graph-io.js';
import type { IntuneService } from '../intune-service.js';
import { allows, PERMISSIONS } from '../rbac.js';
import type { FleetEvents, ReportedEvent } from './fleet-events.js';

/** Most events one request may carry. */
export const MAX_INTAKE_EVENTS = 1000;
/** Largest body: 1,000 events of about 120 bytes, with room. */
const MAX_INTAKE_BYTES = 256 * 1024;
const LEVELS = ['Information', 'Warning', 'Error'] as const;

function fail(res: ServerResponse, e: GraphFailure): void {
  sendJson(res, e.status, { error: { code: e.graphCode, message: e.message } }, e.headers);
}

/** Reads and checks the events of a body. @throws GraphFailure 400 */
export function readEvents(body: Record<string, unknown>): ReportedEvent[] {
  const list = body['events'];
  if (!Array.isArray(list) || list.length > MAX_INTAKE_EVENTS) throw badRequest(`events must be an array of at most ${MAX_INTAKE_EVENTS} events.`);
  return list.map((raw, i) => {
    const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const time = typeof e['time'] === 'number' ? e['time'] : typeof e['time'] === 'string' ? Date.parse(e['time']) : Number.NaN;
    const { deviceId, id, level } = e;
    if (typeof deviceId !== 'string' || !/^[0-9A-Za-z-]{1,64}$/.test(deviceId)) throw badRequest(`events[${i}].deviceId must be the device's id.`);
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 65535) throw badRequest(`events[${i}].id must be an event ID (an integer).`);
    if (!LEVELS.includes(level as (typeof LEVELS)[number])) throw badRequest(`events[${i}].level must be Information, Warning or Error.`);
    if (!Number.isFinite(time)) throw badRequest(`events[${i}].time must be epoch milliseconds or an ISO 8601 time.`);
    return { deviceId: deviceId.toLowerCase(), id, level: level as ReportedEvent['level'], time };
  });
}

/** Answers POST /lapsim/fleet/events. */
export async function intakeEvents(req: IncomingMessage, res: ServerResponse, service: IntuneService, events: FleetEvents): Promise<void> {
  if (req.method !== 'POST') {
    req.resume();
    return fail(res, new GraphFailure(405, 'BadRequest', 'Specified HTTP method is not allowed for the request target.', { Allow: 'POST' }));
  }
  const token = bearerToken(req);
  const grant = token === undefined ? undefined : service.authenticate(token);
  if (!grant) {
    req.resume();
    return fail(res, new GraphFailure(401, 'InvalidAuthenticationToken', 'Access token validation failure.', { 'WWW-Authenticate': 'Bearer realm="lapsim"' }));
  }
  if (!allows(new Set(grant.permissions), { allOf: [PERMISSIONS.lapsimAdmin] })) {
    req.resume();
    return fail(res, new GraphFailure(403, 'Forbidden', `The caller lacks the permission this request needs: ${PERMISSIONS.lapsimAdmin}.`));
  }
  try {
    const accepted = readEvents(await readJsonBody(req, MAX_INTAKE_BYTES));
    events.record(accepted);
    sendJson(res, 202, { accepted: accepted.length });
  } catch (e) {
    if (e instanceof GraphFailure) return fail(res, e);
    throw e;
  }
}
