// The optimizers of the regression part on a float64 parameter vector, each one update in place
// per call with the gradient g of the loss at the current parameters.
//
//   GD:        w <- w - eta g
//   AdaGrad:   G <- G + g^2;  w <- w - eta g / (sqrt(G) + eps)        (Duchi et al. 2011; eps as PyTorch, 1e-10; G_0 = 0)
//   AdaDelta:  E[g^2] <- rho E[g^2] + (1 - rho) g^2
//              d = sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) g
//              E[dx^2] <- rho E[dx^2] + (1 - rho) d^2;  w <- w - eta d   (Zeiler 2012, Algorithm 1, with a learning
//              rate eta on the step as TensorFlow and PyTorch have it; rho = 0.95, eps = 1e-6 (Zeiler's and TF's rho))
// All operations are elementwise.

export const OPTIMIZERS = ['gd', 'adagrad', 'adadelta'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface Optimizer {
  /** Updates w in place with the gradient g. */
  step(w: Float64Array, g: ArrayLike<number>): void;
}

export const ADAGRAD_EPS = 1e-10;
export const ADADELTA_RHO = 0.95;
export const ADADELTA_EPS = 1e-6;

export function gd(eta: number): Optimizer {
  return {
    step(w, g) {
      for (let i = 0; i < w.length; i++) w[i] -= eta * g[i];
    },
  };
}

export function adagrad(eta: number, dim: number, eps = ADAGRAD_EPS): Optimizer {
  const acc = new Float64Array(dim);
  return {
    step(w, g) {
      for (let i = 0; i < w.length; i++) {
        acc[i] += g[i] * g[i];
        w[i] -= (eta * g[i]) / (Math.sqrt(acc[i]) + eps);
      }
    },
  };
}

export function adadelta(eta: number, dim: number, rho = ADADELTA_RHO, eps = ADADELTA_EPS): Optimizer {
  const accGrad = new Float64Array(dim);
  const accDelta = new Float64Array(dim);
  return {
    step(w, g) {
      for (let i = 0; i < w.length; i++) {
        accGrad[i] = rho * accGrad[i] + (1 - rho) * g[i] * g[i];
        const d = (Math.sqrt(accDelta[i] + eps) / Math.sqrt(accGrad[i] + eps)) * g[i];
        accDelta[i] = rho * accDelta[i] + (1 - rho) * d * d;
        w[i] -= eta * d;
      }
    },
  };
}

export function optimizerOf(name: OptimizerName, eta: number, dim: number): Optimizer {
  switch (name) {
    case 'gd':
      return gd(eta);
    case 'adagrad':
      return adagrad(eta, dim);
    case 'adadelta':
      return adadelta(eta, dim);
  }
}
