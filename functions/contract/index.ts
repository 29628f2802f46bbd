export * from './enums.ts';
export * from './events.ts';
export * from './fields.ts';
export * from './metrics.ts';
export * from './receipt.ts';
export * from './reference.ts';
export * from './tables.ts';
export * from './workforce.ts';
