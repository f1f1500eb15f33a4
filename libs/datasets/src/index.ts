export * from './types.ts';
export * from './idx.ts';
export * from './mnist.ts';
export * from './cifar10.ts';
export * from './corruptions.ts';
export * from './images.ts';
export * from './data-source.ts';
export * from './regression.ts';
