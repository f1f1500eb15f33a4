import { describeMnistDataDir } from '../../../libs/datasets/src/testing.ts';
import { PROFILES } from '../config.ts';
import { loadData } from '../data.ts';

const mnist = { ...PROFILES.quick, dataset: 'mnist' as const };
describeMnistDataDir('loss-landscape', (dir) => loadData(mnist, 0, dir));
