// The tiny config of this experiment's tests: its overrides shrink any profile to seconds.
// Three conditions, widths 4 and 8, depth 4, 1 network per setting, 24-gon, small maps: well under a second of counting per seed.
export const TINY = [
  '--set',
  'inputDim=6',
  '--set',
  'circleVertices=24',
  '--set',
  'widths=[4,8]',
  '--set',
  'maxDepth=4',
  '--set',
  'budget=8',
  '--set',
  'networks=1',
  '--set',
  'sawtoothDepth=5',
  '--set',
  'sliceResolution=12',
  '--set',
  'sliceDepths=[1,2]',
  '--set',
  'conditions=[{"activation":"hard-tanh","sigmaW2":0.5,"sigmaB2":0},{"activation":"hard-tanh","sigmaW2":8,"sigmaB2":0},{"activation":"relu","sigmaW2":2,"sigmaB2":1e-6}]',
];
