export * from './init.ts';
export * from './mlp.ts';
export * from './lrn.ts';
export * from './alexnet.ts';
export * from './inception.ts';
export * from './train.ts';
export * from './resnet.ts';
export * from './hourglass.ts';
