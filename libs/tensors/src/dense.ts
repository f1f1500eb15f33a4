// Dense tensors: float64 values in row-major order (the last index runs fastest), as numpy's
// default C order, so a fixture written by numpy reads back index for index.

export interface DenseTensor {
  shape: number[];
  /** prod(shape) values, row-major. */
  data: Float64Array;
}

/** A dense matrix: rows x cols values, row-major. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A tensor of zeros; every dimension must be a positive integer. */
export function zerosTensor(shape: number[]): DenseTensor {
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 1) throw new Error(`tensor shape [${shape.join(', ')}]: every dimension must be a positive integer`);
  }
  return { shape: [...shape], data: new Float64Array(sizeOf(shape)) };
}

/** Row-major strides of a shape. */
export function stridesOf(shape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    strides[k] = s;
    s *= shape[k];
  }
  return strides;
}

/** The value at a multi-index. */
export function at(t: DenseTensor, index: number[]): number {
  if (index.length !== t.shape.length) throw new Error(`index of length ${index.length} for a tensor of order ${t.shape.length}`);
  const strides = stridesOf(t.shape);
  let flat = 0;
  index.forEach((i, k) => {
    if (!Number.isInteger(i) || i < 0 || i >= t.shape[k]) throw new Error(`index ${i} out of range [0, ${t.shape[k]}) in mode ${k}`);
    flat += i * strides[k];
  });
  return t.data[flat];
}

/** Frobenius norm. */
export function frobenius(x: { data: Float64Array }): number {
  let s = 0;
  for (const v of x.data) s += v * v;
  return Math.sqrt(s);
}

/** ||a - b||_F / ||b||_F for two arrays of the same size. */
export function relativeError(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new Error(`relativeError: sizes differ (${a.length} vs ${b.length})`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] * b[i];
  }
  return Math.sqrt(num / den);
}
