// Dense float64 tensors, TT / HT / CP decompositions and their reconstruction, matricizations,
// a rank-revealing SVD (pivoted QR + one-sided Jacobi) and CP-ALS.
export * from './dense.ts';
export * from './decompositions.ts';
export * from './matricize.ts';
export * from './rank.ts';
export * from './cp-als.ts';
