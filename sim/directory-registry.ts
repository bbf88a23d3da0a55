/**
 * Every directory provider lapsim knows, registered on import. Add a provider module's import
 * here; callers import this file rather than directories.ts.
 */
export * from './directories.js';
import './entra/entra-provider.js';
import './ad/ad-provider.js';
