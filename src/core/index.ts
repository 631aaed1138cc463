export * from './errors.ts';
export * from './time.ts';
export * from './process.ts';
export * from './terminal.ts';
export * from './timers.ts';
