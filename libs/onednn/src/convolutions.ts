/**
 * oneDNN's convolutions in the place of the native BLAS addon's: the wasm backend's
 * convolution kernels (@claimlab/backend, native-kernels.ts) call `blas.conv2d`, and oneDNN's
 * conv2d takes the same arguments, so routing them to oneDNN is handing those kernels a BLAS
 * object whose conv2d goes to oneDNN where it is the faster of the two (selectBackend does).
 */
import type { NativeBlas } from '@claimlab/native';
import type { OneDnn } from './build.ts';

/**
 * Convolutions with at most this many input and output channels go to oneDNN. Measured on a
 * 2-core AMD EPYC (OpenBLAS Zen kernels, oneDNN 2.6 jit:avx2, one thread; bench/README): at
 * 1-64 channels (ResNet-20, the MNIST CNN) oneDNN's direct convolutions take 0.14-1.24x the time
 * of im2col + sgemm kernel by kernel, 0.3x (CNN) and 0.65x (ResNet-20) summed over a step; at
 * 128 channels on one 128x128 image (the deep-image-prior hourglass) 1.8x summed over a step (up
 * to 4x for the largest filter gradient), in NHWC or in oneDNN's blocked layouts alike.
 * A fixed rule on the shape, not a timing taken at run time, so the same run always uses the
 * same kernels (and gives the same bits).
 */
export const ONEDNN_MAX_CHANNELS = 64;

/** geom = [batch, inH, inW, inC, outH, outW, outC, ...] (the addons' conv2d geometry). */
export function prefersOneDnn(geom: Int32Array): boolean {
  return geom[3] <= ONEDNN_MAX_CHANNELS && geom[6] <= ONEDNN_MAX_CHANNELS;
}

/**
 * `blas` with conv2d on oneDNN for the shapes `prefersOneDnn` picks; blas.conv2d for the
 * others and wherever oneDNN declines (only its reference implementation, or an empty tensor).
 */
export function withOneDnnConvolutions(blas: NativeBlas, dnnl: OneDnn): NativeBlas {
  return {
    ...blas,
    conv2d: (kind, geom, A, B, out, bias, activation, alpha) => {
      if (prefersOneDnn(geom) && dnnl.conv2d(kind, geom, A, B, out, bias, activation, alpha)) return;
      blas.conv2d(kind, geom, A, B, out, bias, activation, alpha);
    },
  };
}
