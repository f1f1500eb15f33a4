// The tiny config of this experiment's tests: its overrides shrink any profile to seconds.
// Two tiny models (a VGG-style net and a ResNet-8) on 200 MNIST digits, 2 budgets, perturbations from 4, 8 and 16 images,
// 3 power iterations, 1 pass, the three defenses of the VGG, one seed (a later --seeds wins). The budget rule's limit is
// raised to 0.99 so that it picks the largest budget on these barely trained nets.
export const NONE = { stages: [], hidden: [], channels: [], fcUnits: 0, depth: 0, widthMultiplier: 0, stemStride: 1, shortcutType: 'A' };
export const MODELS = [
  {
    ...NONE,
    name: 'vgg',
    kind: 'vgg',
    stages: [[4], [4]],
    fcUnits: 8,
    layers: ['conv1', 'conv2'],
    mainLayer: 'conv1',
    learningRate: 0.05,
    epochs: 1,
  },
  {
    ...NONE,
    name: 'res',
    kind: 'resnet',
    depth: 8,
    widthMultiplier: 0.25,
    layers: ['relu1'],
    mainLayer: 'relu1',
    learningRate: 0.05,
    epochs: 1,
  },
];
export const DEFENSES = {
  model: 'vgg',
  kinds: ['noise-training', 'bit-depth', 'fine-tuning'],
  bits: 1,
  poolSize: 2,
  fineTuneEpochs: 1,
  fineTuneShare: 0.5,
  fineTuneLearningRate: 0.01,
};
export const TINY = [
  '--set',
  'trainSize=200',
  '--set',
  'testSize=50',
  '--set',
  `models=${JSON.stringify(MODELS)}`,
  '--set',
  `defenses=${JSON.stringify(DEFENSES)}`,
  '--set',
  'xis=[0.1,0.3]',
  '--set',
  'maxRandomFooling=0.99',
  '--set',
  'nImages=[4,8,16]',
  '--set',
  'mainImages=8',
  '--set',
  'powerIterations=3',
  '--set',
  'maxPasses=1',
  '--set',
  'randomDraws=1',
  '--seeds',
  '1',
];
