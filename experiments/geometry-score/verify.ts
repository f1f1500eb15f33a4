import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cliMain, formatChecks, PROFILES, UsageError, verifyExperiment } from '@claimlab/core';
import { experiment, REPO_ROOT } from './main.ts';

await cliMain(async () => {
  const { values } = parseArgs({ options: { profile: { type: 'string' }, out: { type: 'string' } }, strict: true });
  const profile = values.profile ?? 'quick';
  if (!(PROFILES as readonly string[]).includes(profile)) throw new UsageError(`Unknown profile '${profile}'. Use one of: ${PROFILES.join(', ')}.`);
  const outDir = resolve(values.out ?? resolve(REPO_ROOT, 'results', experiment.name, profile));
  const outcome = verifyExperiment(experiment, outDir);
  process.stderr.write(`${formatChecks(outcome.checks)}\n`);
  for (const p of outcome.problems) process.stderr.write(`problem: ${p}\n`);
  process.stderr.write(`verify ${experiment.name} (${profile}): ${outcome.ok ? 'PASS' : 'FAIL'}\n`);
  return outcome.ok ? 0 : 1;
});
