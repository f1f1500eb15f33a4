"""Reference values for exp-overparameterization's tests, computed with numpy (float64), written
independently of the TypeScript code: AdaGrad and AdaDelta as PyTorch documents them
(torch.optim.Adagrad with initial_accumulator_value 0, eps 1e-10; torch.optim.Adadelta with rho 0.95,
eps 1e-6, lr on the step), and the gradients of the l_4 loss of a depth-3 linear network with respect
to each layer by the matrix chain rule, confirmed here by central finite differences.
(PyTorch itself is not installed on this machine.)

    python3 scripts/reference/overparameterization_fixtures.py
writes experiments/overparameterization/test/fixtures/reference.json
"""
import json
import os

import numpy as np

rng = np.random.default_rng(0)
out = {}

# Optimizers: three steps from w0 with the given gradient sequence.
w0 = np.array([0.5, -1.0, 2.0])
grads = np.array([[1.0, -2.0, 0.5], [0.3, 0.1, -4.0], [-1.5, 2.5, 0.0]])

w, acc, steps = w0.copy(), np.zeros(3), []
for g in grads:
    acc += g * g
    w = w - 0.1 * g / (np.sqrt(acc) + 1e-10)
    steps.append(w.tolist())
out["adagrad"] = {"w0": w0.tolist(), "grads": grads.tolist(), "lr": 0.1, "steps": steps}

w, sq, accd, steps = w0.copy(), np.zeros(3), np.zeros(3), []
rho, eps, lr = 0.95, 1e-6, 2.0
for g in grads:
    sq = rho * sq + (1 - rho) * g * g
    std = np.sqrt(sq + eps)
    delta = np.sqrt(accd + eps) / std * g
    accd = rho * accd + (1 - rho) * delta * delta
    w = w - lr * delta
    steps.append(w.tolist())
out["adadelta"] = {"w0": w0.tolist(), "grads": grads.tolist(), "lr": lr, "steps": steps}

# Depth-3 linear net 4 -> 3 -> 2 -> 1, l_4 loss (1/n) sum |x.w - y|^4 / 4 on 6 examples.
x = rng.normal(size=(6, 4))
y = rng.normal(size=6)
W = [rng.normal(size=(3, 4)), rng.normal(size=(2, 3)), rng.normal(size=(1, 2))]


def loss_of(ws):
    we = (ws[2] @ ws[1] @ ws[0]).reshape(-1)
    r = x @ we - y
    return np.sum(np.abs(r) ** 4) / (4 * len(y))


we = (W[2] @ W[1] @ W[0]).reshape(-1)
r = x @ we - y
g = (np.abs(r) ** 2 * r) @ x / len(y)  # dL/dw_e, a row 1 x 4
G = g.reshape(1, -1)
grads_w = [
    (W[2] @ W[1]).T @ G,  # dL/dW1 = (W3 W2)^T G
    W[2].T @ G @ W[0].T,  # dL/dW2 = W3^T G W1^T
    G @ (W[1] @ W[0]).T,  # dL/dW3 = G (W2 W1)^T
]
for k in range(3):
    for idx in np.ndindex(W[k].shape):
        up = [w.copy() for w in W]
        down = [w.copy() for w in W]
        up[k][idx] += 1e-6
        down[k][idx] -= 1e-6
        fd = (loss_of(up) - loss_of(down)) / 2e-6
        assert abs(fd - grads_w[k][idx]) < 1e-6 * max(1, abs(fd)), (k, idx, fd, grads_w[k][idx])
out["linear_net"] = {
    "x": x.reshape(-1).tolist(),
    "y": y.tolist(),
    "dims": [4, 3, 2, 1],
    "weights": [w.reshape(-1).tolist() for w in W],
    "loss": loss_of(W),
    "grads": [gw.reshape(-1).tolist() for gw in grads_w],
}

path = os.path.join(os.path.dirname(__file__), "..", "..", "experiments", "overparameterization", "test", "fixtures", "reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", os.path.normpath(path))
