/** DevInfo and DevDetail: Get answers with Results, interior nodes list children, writes 405, unknown 404. */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../core/clock.js';
import { MemoryCspRoot } from '../../../csp/memory-csp-root.js';
import { CspProcessor } from '../../../csp/processor.js';
import { DevDetailHandler, DevInfoHandler, type DeviceInfo } from '../../../csp/devinfo/device-info-handlers.js';
import { LapsCspHandler } from '../../../csp/laps/laps-handler.js';
import type { BodyElement } from '../../../csp/syncml/types.js';

const info: DeviceInfo = { devId: 'ABC', manufacturer: 'Dell Inc.', model: 'XPS 13 9310', dmVersion: '1.3', language: 'fr-FR', deviceName: 'PC-01' };
const processor = new CspProcessor({ clock: new FixedClock(0), handlers: [new LapsCspHandler(), new DevInfoHandler(), new DevDetailHandler()] });

function run(body: string, withInfo = true): { statuses: string[]; results: [string, string | undefined, string | undefined][] } {
  const r = processor.process(
    `<SyncML><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID></SyncHdr><SyncBody>${body}<Final/></SyncBody></SyncML>`,
    { root: new MemoryCspRoot(), osBuild: '10.0.22631.4317', strict: false, ...(withInfo ? { info } : {}) },
  );
  const statuses = r.reply.body.filter((e): e is Extract<BodyElement, { kind: 'Status' }> => e.kind === 'Status').slice(1).map((s) => s.data);
  const results = r.reply.body.filter((e): e is Extract<BodyElement, { kind: 'Results' }> => e.kind === 'Results')
    .map((x): [string, string | undefined, string | undefined] => [x.items[0]!.source!.locUri, x.items[0]!.meta?.format, x.items[0]!.data]);
  return { statuses, results };
}

const get = (id: number, uri: string): string => `<Get><CmdID>${id}</CmdID><Item><Target><LocURI>${uri}</LocURI></Target></Item></Get>`;

describe('DevInfo and DevDetail CSPs', () => {
  it('answers every DevInfo leaf and DevDetail/SwV from the device', () => {
    const r = run([get(2, './DevInfo/DevId'), get(3, './DevInfo/Man'), get(4, './DevInfo/Mod'), get(5, './DevInfo/DmV'), get(6, './DevInfo/Lang'), get(7, './DevDetail/SwV'), get(8, 'DevDetail/Ext/Microsoft/DeviceName')].join(''));
    expect(r.statuses).toEqual(['200', '200', '200', '200', '200', '200', '200']);
    expect(r.results).toEqual([
      ['./DevInfo/DevId', 'chr', 'ABC'], ['./DevInfo/Man', 'chr', 'Dell Inc.'], ['./DevInfo/Mod', 'chr', 'XPS 13 9310'], ['./DevInfo/DmV', 'chr', '1.3'],
      ['./DevInfo/Lang', 'chr', 'fr-FR'], ['./DevDetail/SwV', 'chr', '10.0.22631.4317'], ['DevDetail/Ext/Microsoft/DeviceName', 'chr', 'PC-01'],
    ]);
  });

  it('interior nodes list their children; writes are 405; unknown nodes and unknown CSPs 404', () => {
    const r = run([get(2, './DevInfo'), get(3, './DevDetail/Ext'),
      '<Replace><CmdID>4</CmdID><Item><Target><LocURI>./DevInfo/Lang</LocURI></Target><Data>en-US</Data></Item></Replace>',
      '<Delete><CmdID>5</CmdID><Item><Target><LocURI>./DevDetail</LocURI></Target></Item></Delete>',
      get(6, './DevInfo/Nope'), get(7, './Vendor/MSFT/Policy/Config/Browser/AllowCookies')].join(''));
    expect(r.statuses).toEqual(['200', '200', '405', '405', '404', '404']);
    expect(r.results).toEqual([['./DevInfo', 'node', 'DevId/Man/Mod/DmV/Lang'], ['./DevDetail/Ext', 'node', 'Microsoft']]);
  });

  it('a device without info answers 404 for both CSPs', () => {
    expect(run(get(2, './DevInfo/DevId') + get(3, './DevDetail/SwV'), false).statuses).toEqual(['404', '404']);
  });
});
