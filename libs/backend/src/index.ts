// The compute side: the backend ladder (tfjs-node, wasm, cpu), the wasm backend's own kernels
// and their native (OpenBLAS) replacements, faster exact gradients and the fused batch norm.
export * from './backend.ts';
export * from './fallback-log.ts';
export * from './gradients.ts';
export * from './batch-norm-training.ts';
export * from './fused-updates.ts';
export * from './reflection-pad.ts';
