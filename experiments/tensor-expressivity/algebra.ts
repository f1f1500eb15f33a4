// The exact part: odd/even matricization ranks of random TT, shared-core TT, HT and CP tensors,
// and CP-ALS fits of a random TT tensor. Float64 throughout, no training.
import { Rng } from '@claimlab/core';
import {
  cpAls,
  cpToDense,
  htToDense,
  matricizationErrorFloor,
  numericalRank,
  oddEvenMatricization,
  randomCp,
  randomHt,
  randomTensorTrain,
  singularValues,
  ttToDense,
  type DenseTensor,
} from '@claimlab/tensors';
import type { ResultRow } from './results.ts';

export type TensorFamily = 'tt' | 'tt-shared' | 'ht' | 'cp';

/** The theorems' lower bound q^(d/2), q = min(n, r) (Khrulkov et al. Theorem 1; Cohen et al. Theorem 1). */
export const rankBound = (d: number, n: number, r: number): number => Math.min(n, r) ** (d / 2);

/** One random draw of a family, as a dense tensor. */
export function drawTensor(family: TensorFamily, d: number, n: number, rank: number, rng: Rng): DenseTensor {
  switch (family) {
    case 'tt':
      return ttToDense(randomTensorTrain({ d, n, r: rank, rng }));
    case 'tt-shared':
      return ttToDense(randomTensorTrain({ d, n, r: rank, rng, sharedCores: true }));
    case 'ht':
      return htToDense(randomHt({ d, n, r: rank, rng }));
    case 'cp':
      return cpToDense(randomCp({ d, n, rank, rng }));
  }
}

/** The rows of `draws` draws of one setting; each draw from its own named stream of the seed. */
export function rankRows(family: TensorFamily, d: number, n: number, rank: number, draws: number, seed: number): ResultRow[] {
  const rows: ResultRow[] = [];
  for (let draw = 0; draw < draws; draw++) {
    const rng = new Rng(seed).fork(`tensor/${family}/${d}/${n}/${rank}/${draw}`);
    const m = oddEvenMatricization(drawTensor(family, d, n, rank, rng));
    const r = numericalRank(m);
    const base = { part: 'rank', family, d, n, rank_param: rank, draw };
    const bound = family === 'cp' ? rank : rankBound(d, n, rank);
    // The singular values the claims' decisions rest on: sigma_bound (rank >= bound) and sigma_(bound+1) (rank <= bound).
    const rel = (k: number) => (k >= 1 && k <= r.sv.length && r.sv[0] > 0 ? r.sv[k - 1] / r.sv[0] : 0);
    rows.push(
      { ...base, metric: 'matricization_rank', value: r.rank },
      { ...base, metric: 'bound', value: bound },
      { ...base, metric: 'rows', value: m.rows },
      { ...base, metric: 'smallest_kept', value: r.smallestKept },
      { ...base, metric: 'largest_dropped', value: r.largestDropped },
      { ...base, metric: 'sigma_at_bound', value: rel(bound) },
      { ...base, metric: 'sigma_past_bound', value: rel(bound + 1) },
    );
  }
  return rows;
}

/**
 * CP-ALS of one random TT tensor (order d, mode size n, TT-rank r) at every CP rank: the best
 * relative error over the restarts, beside the Eckart-Young floor of its odd/even matricization.
 */
export function alsRows(
  d: number,
  n: number,
  r: number,
  cpRanks: number[],
  restarts: number,
  maxIterations: number,
  seed: number,
): ResultRow[] {
  const rng = new Rng(seed).fork(`als/${d}/${n}/${r}`);
  const t = ttToDense(randomTensorTrain({ d, n, r, rng: rng.fork('tensor') }));
  const sv = singularValues(oddEvenMatricization(t));
  const rows: ResultRow[] = [];
  for (const R of cpRanks) {
    let best = Infinity;
    for (let k = 0; k < restarts; k++) {
      const fit = cpAls(t, { rank: R, rng: rng.fork(`start/${R}/${k}`), maxIterations });
      best = Math.min(best, fit.relativeError);
    }
    const base = { part: 'als', family: 'tt', d, n, rank_param: R, draw: 0 };
    rows.push({ ...base, metric: 'als_error', value: best }, { ...base, metric: 'floor', value: matricizationErrorFloor(sv, R) });
  }
  return rows;
}
