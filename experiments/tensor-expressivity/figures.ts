import { join } from 'node:path';
import { lineChart, saveFigure, type Datum } from '@claimlab/plots';
import { drawsOf, growthSeries, netsOf } from './claim.ts';
import type { ResultRow } from './results.ts';

const FAMILY_LABEL: Record<string, string> = {
  tt: 'TT (independent cores)',
  'tt-shared': 'TT (shared cores, RNN)',
  ht: 'HT (deep conv.)',
  cp: 'CP (shallow)',
};

/** The figures from one seed's rows (the run's first seed). */
export async function drawFigures(rows: ResultRow[], dir: string): Promise<string[]> {
  const files: string[] = [];
  const save = async (name: string, spec: Parameters<typeof saveFigure>[0]) =>
    files.push(...(await saveFigure(spec, join(dir, name))).files);
  const draws = drawsOf(rows);

  // Matricization rank against d (log scale), per family and (n, r), with the bound q^(d/2) dashed.
  const rankData: Datum[] = [];
  for (const s of growthSeries(draws, ['tt', 'tt-shared', 'ht'])) {
    s.orders.forEach((d, i) => {
      const setting = `n=${s.n}, r=${s.r}`;
      rankData.push({ family: FAMILY_LABEL[s.family], setting, kind: 'measured (mean of draws)', d, rank: s.means[i] });
      rankData.push({ family: FAMILY_LABEL[s.family], setting, kind: 'bound q^(d/2)', d, rank: s.q ** (d / 2) });
    });
  }
  const cps = draws.filter((x) => x.family === 'cp');
  for (const R of [...new Set(cps.map((x) => x.rank))].sort((a, b) => a - b)) {
    for (const d of [...new Set(cps.filter((x) => x.rank === R).map((x) => x.d))].sort((a, b) => a - b)) {
      const v = cps.filter((x) => x.rank === R && x.d === d).map((x) => x.matricizationRank);
      const setting = `R=${R}`;
      rankData.push({
        family: FAMILY_LABEL.cp,
        setting,
        kind: 'measured (mean of draws)',
        d,
        rank: v.reduce((a, b) => a + b, 0) / v.length,
      });
      rankData.push({ family: FAMILY_LABEL.cp, setting, kind: 'bound: at most R', d, rank: R });
    }
  }
  if (rankData.length) {
    await save(
      'matricization-rank-vs-order',
      lineChart({
        data: rankData,
        x: 'd',
        y: 'rank',
        color: 'setting',
        colorTitle: 'mode size n, rank r (or CP rank R)',
        strokeDash: 'kind',
        detail: 'kind',
        column: 'family',
        columnTitle: 'coefficient tensor',
        yScale: 'log',
        points: true,
        width: 200,
        title: 'Rank of the odd/even matricization against the order d',
        subtitle: 'cf. Khrulkov et al. 2018 Theorem 1, Cohen et al. 2016 Theorem 1: >= q^(d/2), q = min(n, r); first seed',
        xTitle: 'order d (sequence length)',
        yTitle: 'matricization rank (lower bound on CP rank)',
      }),
    );
  }

  // Trained networks: test accuracy against parameters.
  const nets = netsOf(rows);
  if (nets.length) {
    await save(
      'accuracy-vs-params',
      lineChart({
        data: nets
          .sort((a, b) => a.params - b.params)
          .map((x) => ({
            network: x.family === 'tt-net' ? 'TT (recurrent)' : 'CP (shallow)',
            params: x.params,
            accuracy: x.testAccuracy,
            rank: x.rank,
          })),
        x: 'params',
        y: 'accuracy',
        color: 'network',
        colorTitle: 'network',
        xScale: 'log',
        points: true,
        title: 'MNIST read as 16 patches of 7 x 7: test accuracy against parameters',
        subtitle: 'TT-ranks and CP ranks sized to 1x and 4x each TT budget; first seed',
        xTitle: 'trainable parameters (log scale)',
        yTitle: 'test accuracy',
      }),
    );
  }

  // CP-ALS: relative error against CP rank, per order, with the Eckart-Young floor.
  const als = rows.filter((r) => r.part === 'als');
  if (als.length) {
    await save(
      'cp-als-error',
      lineChart({
        data: als.map((r) => ({
          order: `d=${r.d}`,
          kind: r.metric === 'als_error' ? 'CP-ALS (best of restarts)' : 'matricization floor',
          R: r.rank_param,
          error: Math.max(r.value, 1e-16),
        })),
        x: 'R',
        y: 'error',
        color: 'order',
        colorTitle: 'order',
        strokeDash: 'kind',
        detail: 'kind',
        yScale: 'log',
        points: true,
        title: 'CP approximation of a random TT tensor (n = 2, TT-rank 2)',
        subtitle: 'relative error against CP rank R; dashed: the Eckart-Young floor of the odd/even matricization',
        xTitle: 'CP rank R',
        yTitle: 'relative error ||T - CP|| / ||T||',
      }),
    );
  }
  return files;
}
