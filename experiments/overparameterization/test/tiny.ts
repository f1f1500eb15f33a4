// The tiny config of this experiment's tests: its overrides shrink any profile to seconds.
// Small synthetic set (Boston stays whole: 506 x 13 is cheap), 60 iterations, 3 rates per method, a 2-4-8 convnet for 4 steps.
export const TINY = [
  '--set',
  'syntheticSize=60',
  '--set',
  'syntheticDim=5',
  '--set',
  'iterations=60',
  '--set',
  'gdRates=[[0.05,0.1,0.2],[0.05,0.1,0.2],[0.05,0.1,0.2]]',
  '--set',
  'adagradRates=[0.05,0.1,0.2]',
  '--set',
  'adadeltaRates=[0.5,1,2]',
  '--set',
  'theoremSteps=[0.01,0.001]',
  '--set',
  'mnistTrainSize=256',
  '--set',
  'mnistSteps=4',
  '--set',
  'mnistShape={"conv1":2,"conv2":4,"fc":8}',
];
