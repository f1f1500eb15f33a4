export * from './linear-regions.ts';
export * from './fid.ts';
export * from './inception-score.ts';
export * from './persistence.ts';
export * from './witness.ts';
export * from './geometry-score.ts';
export * from './inception-score-model.ts';
