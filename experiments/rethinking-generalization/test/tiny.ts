// The tiny config of this experiment's tests: its overrides shrink any profile to seconds.
export const TINY = [
  '--set',
  'trainSize=64',
  '--set',
  'testSize=50',
  '--set',
  'maxEpochs=2',
  '--set',
  'batchSize=16',
  '--set',
  'labelCorruption=[0,1]',
  '--set',
  'pixelConditions=["gaussian"]',
];
