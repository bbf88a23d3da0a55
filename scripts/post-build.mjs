// Makes the CLI entry executable after tsc (tsc keeps the shebang but not the mode).
import { chmodSync, existsSync } from 'node:fs';
const entry = new URL('../dist/bin/lapsim.js', import.meta.url);
if (existsSync(entry)) chmodSync(entry, 0o755);
