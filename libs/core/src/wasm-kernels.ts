/**
 * Kernels the project registers for tfjs-backend-wasm: what it lacks
 * (Conv2DBackpropFilter) and what it does slowly (BatchMatMul with transpose flags).
 * Placeholder: filled in by the wasm-kernels work item.
 */
export function registerWasmKernels(): void {}
