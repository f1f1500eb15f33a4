/**
 * Exact counting along a path (@claimlab/metrics' countAlongPath, 89% of a linear-regions quick
 * run's CPU time before its products were batched) with its two product paths: 'js', a JavaScript
 * loop per piece (the procedure before issue 19's change, and the fallback without the native
 * addon), against 'native', each layer's products for all of a segment's pieces in one OpenBLAS
 * dgemm; not a test:
 *   npx tsx bench/linear-regions-count.ts [--rounds N]
 * On linear-regions quick's costliest networks (width 128, depth 10, its 32-dimensional
 * 256-gon circle, seed 0, network 0), in rounds of A then B: milliseconds per count, and whether
 * pieces, transitions and regions are equal at every layer and lengths agree to 1e-9 (relative).
 * The products' sums run in another order than the loops', so the last bits of the
 * pre-activations differ; the counts could differ only where two roots or a root and a piece's
 * end lie within that rounding of each other.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countAlongPath, type PathCount } from '@claimlab/metrics';
import { buildNet } from '../experiments/linear-regions/arm.ts';
import { inputCircle } from '../experiments/linear-regions/data.ts';
import type { Condition } from '../experiments/linear-regions/config.ts';
import { median } from './harness.ts';

/** Where two counts differ (pieces, transitions, regions exactly; lengths to 1e-9 relative), or null. */
function difference(x: PathCount, y: PathCount): string | null {
  if (x.layers.length !== y.layers.length) return `${x.layers.length} layers against ${y.layers.length}`;
  for (const [i, a] of x.layers.entries()) {
    const b = y.layers[i];
    for (const k of ['pieces', 'transitions', 'regions'] as const) {
      if (a[k] !== b[k]) return `layer ${i} ${k}: ${a[k]} against ${b[k]}`;
    }
    if (Math.abs(a.length - b.length) > 1e-9 * Math.abs(a.length)) return `layer ${i} length: ${a.length} against ${b.length}`;
  }
  return null;
}

function main(): void {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be an integer >= 1, got '${values.rounds}'`);
  // linear-regions quick's costliest paths: width 128, depth 10, its 32-dimensional 256-gon.
  const conditions: Condition[] = [
    { activation: 'hard-tanh', sigmaW2: 16, sigmaB2: 0 },
    { activation: 'hard-tanh', sigmaW2: 4, sigmaB2: 0 },
    { activation: 'relu', sigmaW2: 2, sigmaB2: 1e-6 },
  ];
  for (const c of conditions) {
    const net = buildNet(c, 128, 10, 32, 0, 0);
    const path = inputCircle(32, 1, 256, 0, 0);
    const aMs: number[] = [];
    const bMs: number[] = [];
    let counts: [PathCount, PathCount] | null = null;
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      const x = countAlongPath(net, path, { linalg: 'js' });
      aMs.push(performance.now() - t);
      t = performance.now();
      const y = countAlongPath(net, path, { linalg: 'native' });
      bMs.push(performance.now() - t);
      counts = [x, y];
    }
    const [x, y] = counts!;
    const last = x.layers[x.layers.length - 1];
    const ratios = aMs.map((v, i) => v / bMs[i]);
    console.log(
      `${c.activation} sigma_w^2 ${c.sigmaW2}: ${last.transitions} transitions at layer 10; js ${median(aMs).toFixed(0)} ms, ` +
        `native ${median(bMs).toFixed(0)} ms, speed-up ${median(ratios).toFixed(2)}x (rounds ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}); ` +
        `counts ${difference(x, y) ?? 'equal at every layer'}`,
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
