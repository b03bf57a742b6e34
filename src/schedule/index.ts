// The pure scheduling rules, in one import.
export * from './duration.js';
export * from './zone.js';
export * from './retry.js';
export * from './params.js';
export * from './occurrence.js';
export * from './outcome.js';
export type * from './job.js';
export * from './instant-range.js';
export * from './cron.js';
export * from './misfire.js';
