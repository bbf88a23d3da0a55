import { MemoryActivityLog, MemoryEventLog, MemoryJournal, MemoryPolicyRoots, MemoryStateStore } from '../../agent/memory-ports.js';
import { openDatabase } from '../../store/database.js';
import { insertDevice } from '../../store/devices.js';
import { SecretBox } from '../../store/secret-box.js';
import { SqliteDevicePorts } from '../../store/sqlite-device-ports.js';
import { statePortsContract } from './state-ports.contract.js';
import { testDevice } from './fixtures.js';

statePortsContract('memory', () => ({
  state: new MemoryStateStore(), journal: new MemoryJournal(), events: new MemoryEventLog(), activity: new MemoryActivityLog(), roots: new MemoryPolicyRoots(),
  other: { state: new MemoryStateStore(), journal: new MemoryJournal(), events: new MemoryEventLog() },
}));

statePortsContract('sqlite :memory:', () => {
  const db = openDatabase(':memory:');
  insertDevice(db, testDevice('d-1'));
  insertDevice(db, testDevice('d-2'));
  const ports = new SqliteDevicePorts(db, new SecretBox(new Uint8Array(32).fill(7)));
  return {
    state: ports.state('d-1'), journal: ports.journal('d-1'), events: ports.events('d-1'), activity: ports.activity('d-1'), roots: ports.policyRoots('d-1'),
    other: { state: ports.state('d-2'), journal: ports.journal('d-2'), events: ports.events('d-2') },
  };
});
