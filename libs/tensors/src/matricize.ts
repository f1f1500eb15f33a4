// Matricizations (unfoldings) of a dense tensor: some modes index the rows, the rest the columns.
import { stridesOf, type DenseTensor, type Matrix } from './dense.ts';

/**
 * The matricization with `rowModes` (in that order, row-major among them) indexing the rows and
 * the other modes (in increasing order) the columns.
 */
export function matricize(t: DenseTensor, rowModes: number[]): Matrix {
  const d = t.shape.length;
  const seen = new Set<number>();
  for (const m of rowModes) {
    if (!Number.isInteger(m) || m < 0 || m >= d) throw new Error(`row mode ${m} is not a mode of a tensor of order ${d} (0..${d - 1})`);
    if (seen.has(m)) throw new Error(`row mode ${m} is listed twice`);
    seen.add(m);
  }
  const colModes = [...Array(d).keys()].filter((m) => !seen.has(m));
  const strides = stridesOf(t.shape);
  const rows = rowModes.reduce((s, m) => s * t.shape[m], 1);
  const cols = colModes.reduce((s, m) => s * t.shape[m], 1);
  // Offset in t of each row index and each column index; entry (i, j) is at rowOff[i] + colOff[j].
  const offsets = (modes: number[], count: number): Int32Array => {
    const out = new Int32Array(count);
    const idx = new Array<number>(modes.length).fill(0);
    for (let i = 0; i < count; i++) {
      let o = 0;
      for (let k = 0; k < modes.length; k++) o += idx[k] * strides[modes[k]];
      out[i] = o;
      for (let k = modes.length - 1; k >= 0; k--) {
        if (++idx[k] < t.shape[modes[k]]) break;
        idx[k] = 0;
      }
    }
    return out;
  };
  const rowOff = offsets(rowModes, rows);
  const colOff = offsets(colModes, cols);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = t.data[rowOff[i] + colOff[j]];
  return { rows, cols, data };
}

/**
 * The odd/even matricization of Cohen et al. (2016) and Khrulkov et al. (2018): the odd modes
 * 1, 3, 5, ... (1-based; 0, 2, 4, ... here) index the rows, the even modes the columns. Its rank
 * is a lower bound on the CP rank of the tensor (a rank-one term has a rank-one matricization).
 */
export function oddEvenMatricization(t: DenseTensor): Matrix {
  const odd = [...Array(t.shape.length).keys()].filter((m) => m % 2 === 0);
  return matricize(t, odd);
}
