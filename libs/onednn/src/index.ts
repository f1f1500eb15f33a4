export * from './build.ts';
export * from './convolutions.ts';
