"""Reference tensors, matricizations and singular values for libs/tensors/test, from numpy.

Each case stores its inputs (matrices, TT cores, HT nodes, CP factors) explicitly, so the
TypeScript code rebuilds the same dense tensor from the same numbers; numpy gives the dense
tensor (einsum, C order), the odd/even matricization (modes 1, 3, 5, ... 1-based as rows), its
singular values (LAPACK gesdd via numpy.linalg.svd) and numpy.linalg.matrix_rank (default
tolerance sigma_max * max(m, n) * eps).

Run: python3 scripts/reference/tensor_rank_reference.py > libs/tensors/test/fixtures/tensor-rank-reference.json
(numpy; the fixture records its version). Seeded: the output is the same on every run.
"""
import json
import sys
import numpy as np

rng = np.random.default_rng(20180401)


def tt_dense(cores):
    t = cores[0]  # [1, n, r]
    for g in cores[1:]:
        t = np.tensordot(t, g, axes=([t.ndim - 1], [0]))
    return t.reshape(t.shape[1:-1])


def cp_dense(factors):
    R = factors[0].shape[1]
    t = np.zeros([f.shape[0] for f in factors])
    for c in range(R):
        term = factors[0][:, c]
        for f in factors[1:]:
            term = np.multiply.outer(term, f[:, c])
        t += term
    return t


def ht_dense(leaves, levels):
    nodes = leaves  # each [N, r]
    for level in levels:
        nodes = [np.einsum('xa,yb,abc->xyc', nodes[2 * j], nodes[2 * j + 1], B).reshape(-1, B.shape[2]) for j, B in enumerate(level)]
    return nodes[0].reshape([l.shape[0] for l in leaves])


def odd_even(t):
    d = t.ndim
    odd = list(range(0, d, 2))
    even = list(range(1, d, 2))
    rows = int(np.prod([t.shape[m] for m in odd]))
    return np.transpose(t, odd + even).reshape(rows, -1)


def spectrum(m):
    sv = np.linalg.svd(m, compute_uv=False)
    return {'sv': sv.tolist(), 'numpyRank': int(np.linalg.matrix_rank(m))}


def tt_case(name, d, n, r, shared=False):
    first = rng.standard_normal((1, n, r))
    last = rng.standard_normal((r, n, 1))
    inner = rng.standard_normal((r, n, r))
    cores = [first] + [inner if shared else rng.standard_normal((r, n, r)) for _ in range(d - 2)] + [last]
    t = tt_dense(cores)
    return {'name': name, 'kind': 'tt', 'd': d, 'n': n, 'r': r, 'shared': shared,
            'cores': [{'shape': list(c.shape), 'data': c.ravel().tolist()} for c in cores],
            'dense': t.ravel().tolist(), **spectrum(odd_even(t))}


def ht_case(name, d, n, r):
    leaves = [rng.standard_normal((n, r)) for _ in range(d)]
    levels = []
    nodes = d // 2
    while nodes >= 1:
        parent = 1 if nodes == 1 else r
        levels.append([rng.standard_normal((r, r, parent)) for _ in range(nodes)])
        nodes //= 2
    t = ht_dense(leaves, levels)
    return {'name': name, 'kind': 'ht', 'd': d, 'n': n, 'r': r,
            'leaves': [{'rows': n, 'cols': r, 'data': l.ravel().tolist()} for l in leaves],
            'levels': [[{'shape': list(B.shape), 'data': B.ravel().tolist()} for B in level] for level in levels],
            'dense': t.ravel().tolist(), **spectrum(odd_even(t))}


def cp_case(name, d, n, R):
    factors = [rng.standard_normal((n, R)) for _ in range(d)]
    t = cp_dense(factors)
    return {'name': name, 'kind': 'cp', 'd': d, 'n': n, 'R': R,
            'factors': [{'rows': n, 'cols': R, 'data': f.ravel().tolist()} for f in factors],
            'dense': t.ravel().tolist(), **spectrum(odd_even(t))}


def matrix_case(name, m):
    return {'name': name, 'rows': m.shape[0], 'cols': m.shape[1], 'data': m.ravel().tolist(), **spectrum(m)}


def graded(n, exponents):
    u, _ = np.linalg.qr(rng.standard_normal((n, n)))
    v, _ = np.linalg.qr(rng.standard_normal((n, n)))
    s = np.array([10.0 ** -e for e in exponents] + [0.0] * (n - len(exponents)))
    return u @ np.diag(s) @ v.T


matrices = [
    matrix_case('rank-3 product 7x5', rng.standard_normal((7, 3)) @ rng.standard_normal((3, 5))),
    matrix_case('rank-2 product 4x9 (wide)', rng.standard_normal((4, 2)) @ rng.standard_normal((2, 9))),
    matrix_case('graded 8x8, sigma 1 .. 1e-8, two zeros', graded(8, [0, 1, 2, 3, 4, 6, 8])[:, :]),
    matrix_case('full-rank 6x6', rng.standard_normal((6, 6))),
]
tensors = [
    tt_case('TT d=6 n=3 r=3 (27 x 27 matricization, rank 27)', 6, 3, 3),
    tt_case('TT d=4 n=4 r=2', 4, 4, 2),
    tt_case('TT d=8 n=2 r=2 shared cores', 8, 2, 2, shared=True),
    ht_case('HT d=4 n=3 r=2', 4, 3, 2),
    ht_case('HT d=8 n=2 r=2', 8, 2, 2),
    cp_case('CP d=6 n=3 R=5', 6, 3, 5),
]

# Exploration printed to stderr (not in the fixture): generic matricization ranks when n != r,
# and the gap between the smallest kept and largest dropped singular values.
for (kind, d, n, r) in [('tt', 4, 4, 2), ('tt', 6, 4, 2), ('tt', 8, 4, 2), ('tt', 4, 2, 4), ('tt', 6, 2, 4), ('tt', 8, 2, 4),
                        ('tt', 10, 3, 3), ('tt', 12, 2, 2), ('ht', 4, 4, 2), ('ht', 8, 4, 2), ('ht', 8, 2, 4), ('ht', 8, 3, 3)]:
    c = tt_case('x', d, n, r) if kind == 'tt' else ht_case('x', d, n, r)
    sv = np.array(c['sv'])
    rel = sv / sv[0]
    k = c['numpyRank']
    print(kind, d, n, r, 'rank', k, 'q^(d/2)', min(n, r) ** (d // 2), 'smallest kept', rel[k - 1], 'largest dropped',
          rel[k] if k < len(rel) else 0, file=sys.stderr)

json.dump({'generator': 'scripts/reference/tensor_rank_reference.py', 'numpy': np.__version__,
           'matrices': matrices, 'tensors': tensors}, sys.stdout)
