export * from './rng.ts';
export * from './backend.ts';
export * from './atomic.ts';
