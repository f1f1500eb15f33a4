/**
 * Persistent homology over Z/2 of a filtered simplicial complex of dimension
 * <= 2, in dimensions 0 and 1 (Edelsbrunner, Letscher & Zomorodian 2002;
 * the standard boundary-matrix column reduction, Zomorodian & Carlsson 2005).
 *
 * Simplices enter in the order (filtration value, dimension, input order);
 * a simplex's filtration value must be >= those of its faces. Dimension 0 is
 * computed with union-find (elder rule), dimension 1 by reducing the columns
 * of the triangle boundary matrix: the lowest edge of a reduced non-zero
 * column is paired with the triangle, and a positive edge (one that closes a
 * cycle) that is never a pivot gives an infinite interval. As in gudhi's
 * `persistence()` (min_persistence = 0), intervals of zero length are dropped;
 * the persistence diagram is independent of how ties are ordered.
 */

export interface FilteredComplex {
  /** Filtration values of the vertices 0..n-1 (Infinity: vertex absent). */
  vertices: ArrayLike<number>;
  /** Edges as vertex pairs, with their filtration values. */
  edges: { u: ArrayLike<number>; v: ArrayLike<number>; f: ArrayLike<number> };
  /** Triangles as vertex triples, with their filtration values. */
  triangles: { a: ArrayLike<number>; b: ArrayLike<number>; c: ArrayLike<number>; f: ArrayLike<number> };
}

/** [birth, death) with death = Infinity for classes that never die. */
export type Interval = [number, number];

export interface PersistenceResult {
  dim0: Interval[];
  dim1: Interval[];
}

function orderBy(f: ArrayLike<number>): Int32Array {
  const idx = new Int32Array(f.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  // stable for ties: by value, then input order
  return idx.sort((i, j) => f[i] - f[j] || i - j);
}

/** Symmetric difference of two strictly decreasing int arrays. */
function xorDesc(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    if (a[i] > b[j]) out[k++] = a[i++];
    else if (a[i] < b[j]) out[k++] = b[j++];
    else {
      i++;
      j++;
    }
  }
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out.subarray(0, k);
}

const edgeKey = (u: number, v: number, n: number) => (u < v ? u * n + v : v * n + u);

export function persistence(complex: FilteredComplex): PersistenceResult {
  const nv = complex.vertices.length;
  const vf = complex.vertices;
  const E = complex.edges;
  const T = complex.triangles;
  const ne = E.f.length;
  const nt = T.f.length;

  // --- edges in filtration order; check faces
  const eOrder = orderBy(E.f);
  const ePos = new Int32Array(ne); // edge index -> position in order
  for (let p = 0; p < ne; p++) ePos[eOrder[p]] = p;
  const edgeIndex = new Map<number, number>();
  for (let e = 0; e < ne; e++) {
    const u = E.u[e];
    const v = E.v[e];
    if (u === v || u < 0 || v < 0 || u >= nv || v >= nv)
      throw new RangeError(`persistence: edge ${e} (${u}, ${v}) is not an edge on ${nv} vertices`);
    if (!(E.f[e] >= vf[u] && E.f[e] >= vf[v])) throw new RangeError(`persistence: edge ${e} enters (${E.f[e]}) before its vertices`);
    const key = edgeKey(u, v, nv);
    if (edgeIndex.has(key)) throw new RangeError(`persistence: duplicate edge (${u}, ${v})`);
    edgeIndex.set(key, e);
  }

  // --- dimension 0: union-find, elder rule
  const parent = new Int32Array(nv);
  const birth = Float64Array.from(vf);
  for (let i = 0; i < nv; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const dim0: Interval[] = [];
  const positiveEdge = new Uint8Array(ne);
  for (let p = 0; p < ne; p++) {
    const e = eOrder[p];
    const ru = find(E.u[e]);
    const rv = find(E.v[e]);
    if (ru === rv) {
      positiveEdge[e] = 1;
      continue;
    }
    // the younger component (later birth) dies
    const [old, young] = birth[ru] <= birth[rv] ? [ru, rv] : [rv, ru];
    if (E.f[e] > birth[young]) dim0.push([birth[young], E.f[e]]);
    parent[young] = old;
  }
  for (let i = 0; i < nv; i++) if (Number.isFinite(vf[i]) && find(i) === i) dim0.push([birth[i], Infinity]);

  // --- dimension 1: reduce triangle boundary columns (edge positions, decreasing)
  const tOrder = orderBy(T.f);
  const pivotOwner = new Int32Array(ne).fill(-1);
  const reduced: (Int32Array | null)[] = new Array(nt).fill(null);
  const dim1: Interval[] = [];
  const paired = new Uint8Array(ne);
  for (let q = 0; q < nt; q++) {
    const t = tOrder[q];
    const vs = [T.a[t], T.b[t], T.c[t]];
    const col = new Int32Array(3);
    for (let k = 0; k < 3; k++) {
      const u = vs[k];
      const v = vs[(k + 1) % 3];
      const e = edgeIndex.get(edgeKey(u, v, nv));
      if (e === undefined) throw new RangeError(`persistence: triangle ${t} (${vs.join(', ')}) has no edge (${u}, ${v})`);
      if (!(T.f[t] >= E.f[e])) throw new RangeError(`persistence: triangle ${t} enters (${T.f[t]}) before its edge (${u}, ${v})`);
      col[k] = ePos[e];
    }
    let c = col.sort().reverse() as Int32Array;
    while (c.length > 0 && pivotOwner[c[0]] !== -1) c = xorDesc(c, reduced[pivotOwner[c[0]]]!);
    if (c.length > 0) {
      pivotOwner[c[0]] = q;
      reduced[q] = c;
      const e = eOrder[c[0]];
      paired[e] = 1;
      if (T.f[t] > E.f[e]) dim1.push([E.f[e], T.f[t]]);
    }
  }
  for (let e = 0; e < ne; e++) if (positiveEdge[e] && !paired[e]) dim1.push([E.f[e], Infinity]);
  const byBirth = (x: Interval, y: Interval) => x[0] - y[0] || x[1] - y[1];
  return { dim0: dim0.sort(byBirth), dim1: dim1.sort(byBirth) };
}

/** Convenience: complex from plain lists (tests, small examples). */
export function complexFromLists(
  vertices: number[],
  edges: [number, number, number][],
  triangles: [number, number, number, number][],
): FilteredComplex {
  return {
    vertices,
    edges: { u: edges.map((e) => e[0]), v: edges.map((e) => e[1]), f: edges.map((e) => e[2]) },
    triangles: {
      a: triangles.map((t) => t[0]),
      b: triangles.map((t) => t[1]),
      c: triangles.map((t) => t[2]),
      f: triangles.map((t) => t[3]),
    },
  };
}
