import seedrandom from 'seedrandom';

/**
 * Seeded pseudo-random numbers (seedrandom's Alea generator).
 *
 * Every random choice in a run (data subset, shuffling, initial weights,
 * corruptions) draws from an Rng derived from the run's single `--seed`,
 * each consumer through its own named stream (`fork`), so adding draws in
 * one place never shifts the numbers seen by another.
 */
/** Where a stream stands: enough to continue it exactly (see Rng.snapshot / Rng.restore). */
export interface RngState {
  seed: string;
  alea: seedrandom.State.Alea;
  spareNormal: number | null;
}

export class Rng {
  private readonly prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  private spareNormal: number | null = null;

  constructor(
    readonly seed: string | number,
    state?: seedrandom.State.Alea,
  ) {
    // `state: true` only adds the state() accessor: the numbers are the same as without it.
    this.prng = seedrandom.alea(String(seed), { state: state ?? true });
  }

  /** The stream's position, for a checkpoint; `Rng.restore` continues from it with the same draws. */
  snapshot(): RngState {
    return { seed: String(this.seed), alea: this.prng.state(), spareNormal: this.spareNormal };
  }

  static restore(s: RngState): Rng {
    const rng = new Rng(s.seed, s.alea);
    rng.spareNormal = s.spareNormal;
    return rng;
  }

  /** An independent stream named `label`, determined by this stream's seed only. */
  fork(label: string | number): Rng {
    return new Rng(`${this.seed}/${label}`);
  }

  /** Uniform float in [0, 1). */
  uniform(): number {
    return this.prng();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.prng() * n);
  }

  /** Standard normal draw (Marsaglia polar method). */
  normal(): number {
    if (this.spareNormal !== null) {
      const s = this.spareNormal;
      this.spareNormal = null;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.prng() - 1;
      v = 2 * this.prng() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /** Shuffles `a` in place (Fisher-Yates) and returns it. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A uniformly random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** `k` distinct indices from 0..n-1, in random order. */
  sample(n: number, k: number): Int32Array {
    if (k > n) throw new RangeError(`Rng.sample: cannot draw ${k} distinct items from ${n}`);
    return this.permutation(n).subarray(0, k);
  }

  /** Float32Array of `n` normal draws with the given mean and standard deviation. */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Float32Array of `n` uniform draws in [lo, hi). */
  uniformArray(n: number, lo = 0, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.prng();
    return out;
  }
}
