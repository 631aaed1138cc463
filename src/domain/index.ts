export * from './symbol.ts';
export * from './instrument.ts';
export * from './series.ts';
export * from './events.ts';
export * from './trading.ts';
