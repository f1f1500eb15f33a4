// oneDNN's convolutions (addon/claimlab_dnnl.c) against plain loops written here from the
// definition (forward with bias and each activation, input gradient, filter gradient; strides,
// paddings, dilations, odd sizes, 1x1 filters), |oneDNN - loops| <= 1e-5 + 1e-4 * max|loops|, the
// tolerance of libs/backend/test/kernel-cases.ts; repeatability, the argument checks and the
// channel rule of withOneDnnConvolutions. Under the wasm backend, against the 'cpu' backend:
// libs/backend/test/onednn-kernels.test.ts.
//
// The addon is built on first use; where it cannot be built this file fails with the reason.
// CLAIMLAB_ONEDNN=off (or CLAIMLAB_NATIVE=off, since the kernels sit on the native path) turns
// these tests off, because nothing would run on oneDNN.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { lastNativeError, loadNativeBlas, nativeDisabledByEnv, type NativeBlas } from '@claimlab/native';
import {
  buildOneDnn,
  lastOneDnnError,
  loadOneDnn,
  ONEDNN_MAX_CHANNELS,
  oneDnnDisabledByEnv,
  oneDnnThreads,
  prefersOneDnn,
  withOneDnnConvolutions,
  type OneDnn,
} from '../src/index.ts';

interface Geom {
  b: number;
  ih: number;
  iw: number;
  ic: number;
  oh: number;
  ow: number;
  oc: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pt: number;
  pl: number;
}

const geomArray = (g: Geom) => Int32Array.from([g.b, g.ih, g.iw, g.ic, g.oh, g.ow, g.oc, g.fh, g.fw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl]);

/** The geometry of a convolution padded by pad = [top, bottom, left, right] (the output size follows). */
function geometry(
  b: number,
  ih: number,
  iw: number,
  ic: number,
  oc: number,
  fh: number,
  fw: number,
  s: [number, number],
  d: [number, number],
  pad: [number, number, number, number],
): Geom {
  const [pt, pb, pl, pr] = pad;
  const oh = Math.floor((ih + pt + pb - (d[0] * (fh - 1) + 1)) / s[0]) + 1;
  const ow = Math.floor((iw + pl + pr - (d[1] * (fw - 1) + 1)) / s[1]) + 1;
  return { b, ih, iw, ic, oh, ow, oc, fh, fw, sh: s[0], sw: s[1], dh: d[0], dw: d[1], pt, pl };
}

function values(n: number, seed: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(seed * 1000 + i * 1.37) * Math.cos(i * 0.11 + seed);
  return v;
}

/** Calls f(y index, x index, w index) for every multiply of the convolution (inputs inside the image only). */
function eachTap(g: Geom, f: (yi: number, xi: number, wi: number) => void): void {
  for (let b = 0; b < g.b; b++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++)
        for (let ky = 0; ky < g.fh; ky++)
          for (let kx = 0; kx < g.fw; kx++) {
            const iy = oy * g.sh + ky * g.dh - g.pt;
            const ix = ox * g.sw + kx * g.dw - g.pl;
            if (iy < 0 || iy >= g.ih || ix < 0 || ix >= g.iw) continue;
            for (let c = 0; c < g.ic; c++)
              for (let o = 0; o < g.oc; o++) {
                f(
                  ((b * g.oh + oy) * g.ow + ox) * g.oc + o,
                  ((b * g.ih + iy) * g.iw + ix) * g.ic + c,
                  ((ky * g.fw + kx) * g.ic + c) * g.oc + o,
                );
              }
          }
}

/** The three convolutions by plain loops, in double. */
function reference(g: Geom, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const y = new Float64Array(g.b * g.oh * g.ow * g.oc);
  const dx = new Float64Array(x.length);
  const dW = new Float64Array(w.length);
  eachTap(g, (yi, xi, wi) => {
    y[yi] += x[xi] * w[wi];
    dx[xi] += dy[yi] * w[wi];
    dW[wi] += x[xi] * dy[yi];
  });
  return { y, dx, dW };
}

function expectClose(actual: Float32Array, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  expect(scale, `${label}: a reference of zeros checks nothing`).toBeGreaterThan(0);
  let worst = 0;
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) || (Number.isNaN(actual[i]) ? Infinity : 0));
  expect(worst, `${label}: max |oneDNN - loops| (scale ${scale})`).toBeLessThanOrEqual(1e-5 + 1e-4 * scale);
}

const disabled = oneDnnDisabledByEnv() || nativeDisabledByEnv();
let dnnl: OneDnn;
let blas: NativeBlas;

describe.skipIf(disabled)('oneDNN convolutions', () => {
  beforeAll(() => {
    const d = loadOneDnn();
    if (d === null)
      throw new Error(`the oneDNN addon could not be built or loaded: ${lastOneDnnError()} (set CLAIMLAB_ONEDNN=off to run without it)`);
    const b = loadNativeBlas();
    if (b === null)
      throw new Error(
        `the native BLAS addon could not be built or loaded: ${lastNativeError()} (set CLAIMLAB_NATIVE=off to run without it)`,
      );
    dnnl = d;
    blas = b;
  });

  describe('the addon', () => {
    it('loads once, reports its version and runs one thread unless told otherwise', () => {
      expect(buildOneDnn().dnnl).toBe(dnnl);
      expect(dnnl.info().version).toMatch(/^\d+\.\d+\.\d+/);
      expect(dnnl.info().cpuRuntime).toBe('openmp');
      expect(dnnl.getThreads()).toBe(oneDnnThreads());
      expect(oneDnnThreads({})).toBe(1);
      expect(oneDnnThreads({ CLAIMLAB_ONEDNN_THREADS: '2' })).toBe(2);
      expect(() => oneDnnThreads({ CLAIMLAB_ONEDNN_THREADS: 'two' })).toThrow(
        /CLAIMLAB_ONEDNN_THREADS must be an integer from 1 to 256, got 'two'/,
      );
    });

    it('holds its kernels to AVX2 or below unless ONEDNN_MAX_CPU_ISA says otherwise', () => {
      const { isa, isaSource } = dnnl.info();
      if (process.env.ONEDNN_MAX_CPU_ISA) {
        expect(isaSource).toBe('ONEDNN_MAX_CPU_ISA');
      } else {
        expect(isaSource).toBe('default');
        expect(['sse41', 'avx', 'avx2']).toContain(isa);
      }
    });

    const cases: { note: string; g: Geom }[] = [
      { note: '3x3 same, 16 channels', g: geometry(2, 8, 8, 16, 16, 3, 3, [1, 1], [1, 1], [1, 1, 1, 1]) },
      { note: 'odd sizes, stride 2, asymmetric same padding', g: geometry(2, 7, 9, 3, 5, 3, 3, [2, 2], [1, 1], [0, 1, 1, 1]) },
      { note: 'valid, stride 2 leaving a row and column unused', g: geometry(2, 7, 9, 6, 4, 3, 3, [2, 2], [1, 1], [0, 0, 0, 0]) },
      { note: 'one input channel, 5x5 same (the MNIST CNN)', g: geometry(3, 9, 9, 1, 8, 5, 5, [1, 1], [1, 1], [2, 2, 2, 2]) },
      { note: '1x1, 12 -> 7 channels', g: geometry(2, 5, 6, 12, 7, 1, 1, [1, 1], [1, 1], [0, 0, 0, 0]) },
      { note: '1x1 stride 2 (a ResNet projection)', g: geometry(2, 8, 8, 8, 16, 1, 1, [2, 2], [1, 1], [0, 0, 0, 0]) },
      { note: 'non-square filter, different strides', g: geometry(2, 9, 8, 5, 3, 3, 2, [2, 1], [1, 1], [1, 1, 0, 1]) },
      { note: 'dilation 2', g: geometry(1, 9, 10, 4, 6, 3, 3, [1, 1], [2, 2], [2, 2, 2, 2]) },
      { note: 'padding larger than the filter reach', g: geometry(1, 4, 5, 3, 2, 3, 3, [1, 1], [1, 1], [3, 3, 2, 2]) },
    ];
    for (const { note, g } of cases) {
      it(`forward, input and filter gradients match plain loops: ${note}`, () => {
        const geom = geomArray(g);
        const x = values(g.b * g.ih * g.iw * g.ic, 1);
        const w = values(g.fh * g.fw * g.ic * g.oc, 2);
        const dy = values(g.b * g.oh * g.ow * g.oc, 3);
        const ref = reference(g, x, w, dy);
        const y = new Float32Array(ref.y.length);
        const dx = new Float32Array(x.length);
        const dW = new Float32Array(w.length);
        expect(dnnl.conv2d(0, geom, x, w, y, null, 0, 0)).toBe(true);
        expect(dnnl.conv2d(1, geom, dy, w, dx, null, 0, 0)).toBe(true);
        // The one case the addon declines (oneDNN issue 6035): a strided 1x1 filter gradient.
        const strided1x1 = g.fh === 1 && g.fw === 1 && (g.sh > 1 || g.sw > 1);
        expect(dnnl.conv2d(2, geom, x, dy, dW, null, 0, 0)).toBe(!strided1x1);
        expectClose(y, ref.y, 'forward');
        expectClose(dx, ref.dx, 'input gradient');
        if (!strided1x1) expectClose(dW, ref.dW, 'filter gradient');
        for (const kind of [0, 1, 2] as const) expect(dnnl.convImpl(kind, geom, false, 0, 0)).not.toMatch(/^ref/);
      });
    }

    it('matches plain loops over a grid of 288 geometries and all three kinds without touching memory it does not own', () => {
      // In a child process under glibc's heap checks (MALLOC_CHECK_=3): oneDNN 2.6's strided 1x1
      // filter gradient corrupted its heap at fewer than 8 input channels (the addon declines it now);
      // in this process that went unnoticed until a later, unrelated crash.
      const script = fileURLToPath(new URL('./fixtures/geometry-sweep.ts', import.meta.url));
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
        encoding: 'utf8',
        env: { ...process.env, MALLOC_CHECK_: '3' },
        timeout: 120_000,
      });
      expect(r.status, `the sweep died: ${r.stderr}`).toBe(0);
      const { ran, declined, worst } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ran: number; declined: number; worst: number };
      expect(ran + declined).toBe(288 * 3);
      expect(declined).toBeGreaterThan(0); // the strided 1x1 filter gradients on the jit_1x1 path
      expect(declined).toBeLessThanOrEqual(2 * 6 * 2 * 2 * 2); // at most every strided 1x1 filter gradient of the grid
      expect(worst, 'largest error beyond 1e-5 + 1e-4 * max|loops|').toBe(0);
    });

    it('declines the strided 1x1 filter gradients that oneDNN 2.6 computes out of bounds', () => {
      const g = geomArray(geometry(32, 14, 14, 4, 8, 1, 1, [2, 2], [1, 1], [0, 0, 0, 0]));
      expect(dnnl.convImpl(2, g, false, 0, 0)).toMatch(/^declined: jit_1x1/);
      expect(
        dnnl.conv2d(2, g, new Float32Array(32 * 14 * 14 * 4), new Float32Array(32 * 7 * 7 * 8), new Float32Array(32), null, 0, 0),
      ).toBe(false);
      // Its forward pass and input gradient are fine (the sweep above checks them) and stay on
      // oneDNN's 1x1 implementations: jit_1x1:avx2 at the addon's AVX2 cap; on AVX-512 hosts with
      // ONEDNN_MAX_CPU_ISA lifting it, the forward pass is brgconv_1x1:avx512_core and the gradients
      // jit_1x1:avx512_core.
      for (const kind of [0, 1] as const) expect(dnnl.convImpl(kind, g, false, 0, 0)).toMatch(/^(jit|brgconv)_1x1:/);
      expect(
        dnnl.conv2d(0, g, new Float32Array(32 * 14 * 14 * 4), new Float32Array(8 * 4), new Float32Array(32 * 7 * 7 * 8), null, 0, 0),
      ).toBe(true);
    });

    it('adds the bias and applies relu, relu6 and leaky relu after the sum', () => {
      const g = geometry(2, 6, 7, 5, 6, 3, 3, [1, 1], [1, 1], [1, 1, 1, 1]);
      const geom = geomArray(g);
      const x = values(g.b * g.ih * g.iw * g.ic, 4).map((v) => 4 * v); // sums beyond relu6's cap
      const w = values(g.fh * g.fw * g.ic * g.oc, 5);
      const bias = values(g.oc, 6);
      const { y: raw } = reference(g, x, w, new Float32Array(g.b * g.oh * g.ow * g.oc));
      const biased = Array.from(raw, (v, i) => v + bias[i % g.oc]);
      expect(Math.max(...biased)).toBeGreaterThan(6);
      expect(Math.min(...biased)).toBeLessThan(0);
      const acts: [0 | 1 | 2 | 3, (v: number) => number][] = [
        [0, (v) => v],
        [1, (v) => Math.max(v, 0)],
        [2, (v) => Math.min(Math.max(v, 0), 6)],
        [3, (v) => (v < 0 ? 0.3 * v : v)],
      ];
      for (const [act, f] of acts) {
        const y = new Float32Array(raw.length);
        expect(dnnl.conv2d(0, geom, x, w, y, bias, act, 0.3)).toBe(true);
        expectClose(y, biased.map(f), `activation ${act}`);
      }
    });

    it('gives the same bits on every call, cached primitives or not', () => {
      const g = geometry(4, 16, 16, 16, 32, 3, 3, [2, 2], [1, 1], [0, 1, 0, 1]);
      const geom = geomArray(g);
      const x = values(g.b * g.ih * g.iw * g.ic, 7);
      const dy = values(g.b * g.oh * g.ow * g.oc, 8);
      const first = new Float32Array(g.fh * g.fw * g.ic * g.oc);
      const again = new Float32Array(first.length);
      dnnl.conv2d(2, geom, x, dy, first, null, 0, 0);
      for (let i = 0; i < 3; i++) {
        dnnl.conv2d(2, geom, x, dy, again, null, 0, 0);
        expect(Buffer.from(again.buffer).equals(Buffer.from(first.buffer))).toBe(true);
      }
    });

    it('works on views into a larger buffer (as on the wasm heap)', () => {
      const g = geometry(1, 5, 5, 3, 4, 3, 3, [1, 1], [1, 1], [1, 1, 1, 1]);
      const heap = new Float32Array(1000);
      const x = heap.subarray(3, 3 + 75);
      x.set(values(75, 9));
      const w = heap.subarray(100, 100 + 108);
      w.set(values(108, 10));
      const y = heap.subarray(301, 301 + 100);
      expect(dnnl.conv2d(0, geomArray(g), x, w, y, null, 0, 0)).toBe(true);
      expectClose(y, reference(g, x, w, new Float32Array(100)).y, 'forward on views');
      expect(heap[300]).toBe(0);
      expect(heap[401]).toBe(0);
    });

    it('declines empty tensors and rejects bad arguments with the reason', () => {
      const g = geometry(1, 5, 5, 3, 4, 3, 3, [1, 1], [1, 1], [1, 1, 1, 1]);
      const geom = geomArray(g);
      const x = new Float32Array(75);
      const w = new Float32Array(108);
      const y = new Float32Array(100);
      expect(dnnl.conv2d(0, geomArray({ ...g, b: 0 }), new Float32Array(0), w, new Float32Array(0), null, 0, 0)).toBe(false);
      expect(() => dnnl.conv2d(0, Int32Array.from([1, 2, 3]), x, w, y, null, 0, 0)).toThrow(/geom must be an Int32Array of 15 entries/);
      expect(() => dnnl.conv2d(0, geom, x, w, new Float32Array(99), null, 0, 0)).toThrow(/do not match the geometry/);
      const shared = new Float32Array(300);
      expect(() => dnnl.conv2d(0, geom, shared.subarray(0, 75), w, shared.subarray(50, 150), null, 0, 0)).toThrow(/must not share memory/);
      expect(() => dnnl.conv2d(1, geom, y, w, x, new Float32Array(4), 0, 0)).toThrow(/bias is only for kind 0/);
      expect(() => dnnl.conv2d(1, geom, y, w, x, null, 1, 0)).toThrow(/activation is only for kind 0/);
      expect(() => dnnl.conv2d(0, geom, x, w, y, new Float32Array(3), 0, 0)).toThrow(/bias must have outC elements/);
      expect(() => dnnl.conv2d(3 as never, geom, x, w, y, null, 0, 0)).toThrow(/kind must be an integer in \[0, 2\]/);
      expect(() => dnnl.conv2d(0, geomArray({ ...g, sh: 0 }), x, w, y, null, 0, 0)).toThrow(/strides and dilations >= 1/);
      expect(() => dnnl.conv2d(0, geom, Array.from(x) as never, w, y, null, 0, 0)).toThrow(/A must be a Float32Array/);
    });
  });

  describe('withOneDnnConvolutions', () => {
    it(`sends convolutions of at most ${ONEDNN_MAX_CHANNELS} channels to oneDNN and the rest to BLAS`, () => {
      const g = (ic: number, oc: number) => geomArray(geometry(1, 4, 4, ic, oc, 3, 3, [1, 1], [1, 1], [1, 1, 1, 1]));
      expect(prefersOneDnn(g(64, 64))).toBe(true);
      expect(prefersOneDnn(g(1, 16))).toBe(true);
      expect(prefersOneDnn(g(65, 64))).toBe(false);
      expect(prefersOneDnn(g(64, 128))).toBe(false);
      const seen: string[] = [];
      const fakeBlas = { ...blas, conv2d: () => void seen.push('blas') } as NativeBlas;
      const yes = { ...dnnl, conv2d: () => (seen.push('onednn'), true) } as OneDnn;
      const no = { ...dnnl, conv2d: () => (seen.push('onednn declined'), false) } as OneDnn;
      const x = new Float32Array(0);
      withOneDnnConvolutions(fakeBlas, yes).conv2d(0, g(16, 16), x, x, x, null, 0, 0);
      withOneDnnConvolutions(fakeBlas, yes).conv2d(1, g(128, 16), x, x, x, null, 0, 0);
      withOneDnnConvolutions(fakeBlas, no).conv2d(2, g(16, 16), x, x, x, null, 0, 0);
      expect(seen).toEqual(['onednn', 'blas', 'onednn declined', 'blas']);
    });
  });
});
