/**
 * A/B of two kernel setups on one workload inside one process, in rounds of A then B, so that both
 * halves of a round see the same machine; the speed-up is the median over rounds of each round's
 * ratio, which a drift in the machine's speed (this VM's varies by 20% from minute to minute) moves
 * less than a ratio of medians. Used by onednn-step.ts and reflection-pad-step.ts (not a test).
 */
import { parseArgs } from 'node:util';
import { findWorkloads, FULL_TIMING, measure, median, QUICK_TIMING, type TimingOptions, type WorkloadSpec } from './harness.ts';

/**
 * The A/B scripts' command line, `[--quick] [--rounds N] [workload ...]`: the workloads (the given
 * defaults when none are named), the timing windows and the number of rounds.
 */
export function abOptions(defaultIds: string[]): { specs: WorkloadSpec[]; timing: TimingOptions; rounds: number } {
  const { values, positionals } = parseArgs({
    options: { quick: { type: 'boolean' }, rounds: { type: 'string', default: '5' } },
    allowPositionals: true,
  });
  const rounds = Number(values.rounds);
  // Checked here too, so a bad flag fails before any backend loads.
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be an integer >= 1, got '${values.rounds}'`);
  return { specs: findWorkloads(positionals.length ? positionals : defaultIds), timing: values.quick ? QUICK_TIMING : FULL_TIMING, rounds };
}

/** A named setup: `use` puts its kernels in place before each of its measurements. */
export interface AbMode {
  name: string;
  use: () => void;
}

export interface AbResult {
  /** ms per step of A and of B, one per round. */
  aMs: number[];
  bMs: number[];
  /** A's ms / B's ms per round (> 1: B is faster). */
  ratios: number[];
}

export function abRounds(spec: WorkloadSpec, timing: TimingOptions, rounds: number, a: AbMode, b: AbMode): AbResult {
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds must be an integer >= 1, got ${rounds}`);
  const r: AbResult = { aMs: [], bMs: [], ratios: [] };
  for (let round = 0; round < rounds; round++) {
    a.use();
    r.aMs.push(measure(spec, timing).stepMsMedian);
    b.use();
    r.bMs.push(measure(spec, timing).stepMsMedian);
    r.ratios.push(r.aMs[round] / r.bMs[round]);
    console.log(
      `  round ${round + 1}: ${a.name} ${r.aMs[round].toFixed(1)} ms/step, ${b.name} ${r.bMs[round].toFixed(1)}, ratio ${r.ratios[round].toFixed(2)}`,
    );
  }
  console.log(
    `  median: ${a.name} ${median(r.aMs).toFixed(1)} ms, ${b.name} ${median(r.bMs).toFixed(1)} ms; speed-up ${median(r.ratios).toFixed(2)}x ` +
      `(rounds ${Math.min(...r.ratios).toFixed(2)}-${Math.max(...r.ratios).toFixed(2)})`,
  );
  return r;
}

/** Whether two arrays hold the same values bit for bit (-0 and +0 differ, NaN equals NaN), length included. */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
