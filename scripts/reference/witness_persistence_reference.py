"""Reference persistence intervals and RLTs for libs/metrics' witness complex and geometry score,
computed with gudhi exactly as in the authors' code (KhrulkovV/geometry-score, gs/utils.py:
cdist witness-landmark table, gudhi.WitnessComplex, create_simplex_tree(max_alpha_square=
gamma * max distance, limit_dimension=2), persistence(homology_coeff_field=2), intervals in
dimension 1, `relative` for the RLT). The landmark index sets are drawn here and stored, so the
TypeScript tests rebuild the same complexes without numpy's random generator.

Also: persistence pairs of small hand-made filtered complexes (gudhi.SimplexTree).

Re-run (needs python3-gudhi from Debian, which installs for /usr/bin/python3):
    /usr/bin/python3 scripts/reference/witness_persistence_reference.py > libs/metrics/test/fixtures/witness-persistence-reference.json
"""
import json
import sys

import gudhi
import numpy as np
from scipy.spatial.distance import cdist


def relative(I_1, alpha_max, i_max=100):
    # RLT, formulas (2) and (3) of the paper, same semantics as gs/utils.py `relative`
    bars = [[b, alpha_max if np.isinf(d) else d] for b, d in I_1]
    rlt = np.zeros(i_max)
    if not bars:
        rlt[0] = 1.0
        return rlt
    pts = np.unique(np.array(bars + [[0, alpha_max]]).flatten())
    for i in range(len(pts) - 1):
        mid = (pts[i] + pts[i + 1]) / 2
        s = sum(1 for b, d in bars if b <= mid < d)
        if s < i_max:
            rlt[s] += pts[i + 1] - pts[i]
    return rlt / alpha_max


def fin(x):
    # JSON has no infinity: infinite deaths are written as the string "inf"
    return 'inf' if np.isinf(x) else float(x)


def witness_draw(X, idx, gamma):
    L = X[idx]
    a = cdist(X, L)
    max_val = np.max(a)
    order = np.argsort(a, kind='stable')
    b = a[np.arange(a.shape[0])[:, None], order]
    table = [[(int(order[i, j]), float(b[i, j])) for j in range(a.shape[1])] for i in range(a.shape[0])]
    wc = gudhi.WitnessComplex(nearest_landmark_table=table)
    alpha_max = max_val * gamma
    st = wc.create_simplex_tree(max_alpha_square=alpha_max, limit_dimension=2)
    st.persistence(homology_coeff_field=2)
    diag = st.persistence_intervals_in_dimension(1)
    counts = [0, 0, 0]
    for s, _ in st.get_simplices():
        counts[len(s) - 1] += 1
    return [[float(x), float(y)] for x, y in diag], float(alpha_max), counts


def circle(rng, n, r=1.0, c=(0.0, 0.0), noise=0.02):
    t = rng.uniform(0, 2 * np.pi, n)
    return np.stack([c[0] + r * np.cos(t), c[1] + r * np.sin(t)], 1) + rng.normal(scale=noise, size=(n, 2))


def disk(rng, n):
    r = np.sqrt(rng.uniform(0, 1, n))
    t = rng.uniform(0, 2 * np.pi, n)
    return np.stack([r * np.cos(t), r * np.sin(t)], 1)


def main():
    rng = np.random.default_rng(2018)
    clouds = {
        'circle': circle(rng, 300),
        'two-circles': np.concatenate([circle(rng, 200), circle(rng, 200, c=(3.0, 0.0))]),
        'disk': disk(rng, 300),
        'gaussian-3d': rng.normal(size=(200, 3)),
    }
    cases = []
    for name, X in clouds.items():
        X = np.round(X, 6)
        for (L0, gamma, draws) in [(64, 1.0 / 128 * X.shape[0] / 5000, 3), (24, 0.05, 3), (16, 0.2, 2)]:
            draws_out = []
            for _ in range(draws):
                idx = rng.choice(X.shape[0], L0)
                intervals, alpha_max, counts = witness_draw(X, idx, gamma)
                draws_out.append({'landmarks': idx.tolist(), 'alphaMax': alpha_max, 'intervals': [[fin(x), fin(y)] for x, y in intervals],
                                  'simplexCounts': counts, 'rlt': relative(intervals, alpha_max, 100).tolist()})
            cases.append({'cloud': name, 'n': X.shape[0], 'd': X.shape[1], 'points': X.flatten().tolist(),
                          'L0': L0, 'gamma': gamma, 'draws': draws_out})

    # hand-made filtered complexes
    hand = []
    def st_case(name, simplices):
        st = gudhi.SimplexTree()
        for s, f in simplices:
            st.insert(s, filtration=f)
        st.persistence(homology_coeff_field=2)
        hand.append({'name': name, 'simplices': [[list(s), f] for s, f in simplices],
                     'dim0': [[fin(a), fin(b)] for a, b in st.persistence_intervals_in_dimension(0)],
                     'dim1': [[fin(a), fin(b)] for a, b in st.persistence_intervals_in_dimension(1)]})
    # square 0-1-2-3 closing at 1, diagonal at 2, filled at 3 and 4
    st_case('square', [([0], 0), ([1], 0), ([2], 0), ([3], 0.5), ([0, 1], 0.5), ([1, 2], 0.6), ([2, 3], 0.8),
                       ([0, 3], 1.0), ([0, 2], 2.0), ([0, 1, 2], 3.0), ([0, 2, 3], 4.0)])
    # two triangles sharing an edge, one hole filled, one left open; a pendant vertex
    st_case('bowtie', [([0], 0), ([1], 0.1), ([2], 0.2), ([3], 0.3), ([4], 0.4), ([0, 1], 1), ([1, 2], 1), ([0, 2], 1.5),
                       ([2, 3], 2), ([3, 4], 2), ([2, 4], 2.5), ([0, 1, 2], 5), ([1, 4], 6)])
    json.dump({'generator': 'scripts/reference/witness_persistence_reference.py', 'gudhi': gudhi.__version__,
               'cases': cases, 'hand': hand}, sys.stdout, allow_nan=False)


if __name__ == '__main__':
    main()
