import { Rng } from '@claimlab/core';
import { countAlongPath, sawtoothNetwork, segmentPath, randomNetwork, circlePath, randomPlane, sampledTransitions, raghuHardTanhGrowthBound } from '@claimlab/metrics';
for (const L of [1,2,3,5,10]) { const r = countAlongPath(sawtoothNetwork(L), segmentPath([0],[1])); console.log(L, r.layers.map(x=>x.regions).join(','), r.layers.at(-1)!.transitions); }
const rng = new Rng(1);
const m = 16;
const {u,v} = randomPlane(m, rng.fork('p'));
const path = circlePath(new Float64Array(m), u, v, Math.sqrt(m), 200);
for (const [act, s2, sb2, k, D] of [['hard-tanh', 8, 0, 32, 10], ['hard-tanh', 8, 0, 64, 10], ['hard-tanh', 16, 0, 64, 10], ['relu', 2, 1e-6, 64, 10], ['hard-tanh', 0.5, 0, 64, 10]] as const) {
  const net = randomNetwork({ inputDim: m, width: k, depth: D, activation: act, sigmaW2: s2, sigmaB2: sb2, rng: rng.fork(`${act}${s2}${k}`) });
  const t0 = Date.now();
  const r = countAlongPath(net, path);
  console.log(act, s2, k, (Date.now()-t0)+'ms', 'bound', raghuHardTanhGrowthBound(s2,k).toFixed(2));
  console.log('  T', r.layers.map(x=>x.transitions).join(' '));
  console.log('  R', r.layers.map(x=>x.regions).join(' '));
  console.log('  len', r.layers.map(x=>x.length.toFixed(1)).join(' '));
}
const small = randomNetwork({ inputDim: m, width: 6, depth: 3, activation: 'hard-tanh', sigmaW2: 4, sigmaB2: 0.1, rng: rng.fork('s') });
console.log(countAlongPath(small, path).layers.map(x=>x.transitions), sampledTransitions(small, path, 200));
