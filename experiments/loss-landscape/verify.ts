import { verifyMain } from '@claimlab/core';
import { experiment, REPO_ROOT } from './main.ts';

await verifyMain(experiment, REPO_ROOT);
