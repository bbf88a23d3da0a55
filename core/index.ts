export * from './clock.js';
export * from './rng.js';
export * from './seeded-rng.js';
export * from './secret.js';
export * from './filetime.js';
export * from './ids.js';
export * from './errors.js';
export * from './logger.js';
