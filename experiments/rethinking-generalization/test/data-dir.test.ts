import { describeMnistDataDir } from '../../../libs/datasets/src/testing.ts';
import { PROFILES } from '../config.ts';
import { loadCleanData } from '../data.ts';

const mnist = { ...PROFILES.quick, dataset: 'mnist' as const };
describeMnistDataDir('rethinking-generalization', (dir) => loadCleanData(mnist, 0, dir));
