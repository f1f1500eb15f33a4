#!/usr/bin/env python3
"""PyTorch peer for bench/main.ts: the same workloads, the same timing procedure.

Usage: torch_bench.py '<json>' where json = {"workloads": [WorkloadSpec, ...],
  "timing": {"warmupSteps": n, "windows": n, "minWindowMs": ms}, "threads": n, "matmul": 1024 or 0}
Prints one JSON object on stdout: {"torch": version, "threads": n, "matmul_gflops": x,
  "results": {id: {"samples_per_s", "step_ms_median", "steps_per_window", "cpu_per_wall"}}}.
With "window": {"startAt": epoch ms, "endAt": epoch ms} it is one process of a sweep instead
(bench/parallel-arm.ts's protocol): it trains the one workload given, counts the steps inside
the common window and prints {"torch", "threads", "sweep": {"steps", "seconds", "samples_per_s",
"late_ms", "cpu_per_wall"}}.

Models mirror bench/harness.ts and libs/models: MLP (flatten, 784-512 ReLU, 10), CNN
(5x5 'same' conv + ReLU + 2x2 max-pool twice, fc 512 ReLU, 10), ResNet-20 with option-A
shortcuts (or none), the deep image prior skip hourglass (reflection padding, bilinear
upsampling, LeakyReLU(0.2), BN, sigmoid). Classifiers train with SGD (lr 0.01, momentum 0.9)
on softmax cross-entropy, the hourglass with Adam (lr 0.01) on MSE, on one fixed batch.
"""
import json
import os
import statistics
import sys
import time

# torch.set_num_threads(n) does not bound the BLAS under Debian's PyTorch: measured here, a
# "1-thread" run used 1.99 CPU seconds per second on the MLPs (OpenBLAS's own threads). The
# thread count must reach OpenMP, OpenBLAS and MKL through their variables before torch loads.
CFG = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
if CFG.get("threads"):
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = str(int(CFG["threads"]))

import torch  # noqa: E402  (after the thread variables)
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, inputs, hidden, classes):
        super().__init__()
        layers, d = [nn.Flatten()], inputs
        for h in hidden:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        layers.append(nn.Linear(d, classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def cnn(spec):
    h, w, c = spec["inputShape"]
    k = spec["kernel"]
    f1, f2 = spec["filters"]
    return nn.Sequential(
        nn.Conv2d(c, f1, k, padding=k // 2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(f1, f2, k, padding=k // 2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(f2 * (h // 4) * (w // 4), spec["fc"]), nn.ReLU(), nn.Linear(spec["fc"], spec["classes"]),
    )


class OptionA(nn.Module):
    def __init__(self, planes, stride):
        super().__init__()
        self.planes, self.stride = planes, stride

    def forward(self, x):
        y = x[:, :, :: self.stride, :: self.stride]
        return F.pad(y, (0, 0, 0, 0, 0, self.planes - y.shape[1]))


class Block(nn.Module):
    def __init__(self, cin, cout, stride, shortcut):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.shortcut = shortcut
        self.sc = OptionA(cout, stride) if (stride != 1 or cin != cout) else nn.Identity()

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        if self.shortcut:
            y = y + self.sc(x)
        return F.relu(y)


class ResNet(nn.Module):
    def __init__(self, depth, width, shortcuts, classes):
        super().__init__()
        n = (depth - 2) // 6
        ws = [max(1, round(c * width)) for c in (16, 32, 64)]
        self.conv = nn.Conv2d(3, ws[0], 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(ws[0])
        blocks, cin = [], ws[0]
        for s, wd in enumerate(ws):
            for b in range(n):
                blocks.append(Block(cin, wd, 2 if (s > 0 and b == 0) else 1, shortcuts))
                cin = wd
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = self.blocks(x)
        return self.fc(x.mean(dim=(2, 3)))


def conv(cin, cout, k, stride=1):
    p = (k - 1) // 2
    layers = [nn.ReflectionPad2d(p)] if p > 0 else []
    return nn.Sequential(*layers, nn.Conv2d(cin, cout, k, stride))


def act():
    return nn.LeakyReLU(0.2, inplace=True)


class Concat(nn.Module):
    def __init__(self, a, b):
        super().__init__()
        self.a, self.b = a, b

    def forward(self, x):
        return torch.cat([self.a(x), self.b(x)], 1)


def skip_hourglass(input_depth, down, up, skip, out_ch=3):
    """Ulyanov et al.'s `skip` network (models/skip.py of their code), rebuilt."""
    scales = len(down)
    model = nn.Sequential()
    tmp = model
    d_in = input_depth
    for i in range(scales):
        deeper = nn.Sequential()
        skip_b = nn.Sequential(conv(d_in, skip[i], 1), nn.BatchNorm2d(skip[i]), act())
        tmp.add_module("concat", Concat(skip_b, deeper) if skip[i] else deeper)
        k = up[i + 1] if i < scales - 1 else down[i]
        tmp.add_module("bn", nn.BatchNorm2d(skip[i] + k))
        deeper.add_module("down", conv(d_in, down[i], 3, 2))
        deeper.add_module("dbn", nn.BatchNorm2d(down[i]))
        deeper.add_module("dact", act())
        deeper.add_module("conv", conv(down[i], down[i], 3))
        deeper.add_module("cbn", nn.BatchNorm2d(down[i]))
        deeper.add_module("cact", act())
        deeper_main = nn.Sequential()
        if i < scales - 1:
            deeper.add_module("deeper", deeper_main)
        deeper.add_module("up", nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False))
        tmp.add_module("uconv", conv(skip[i] + k, up[i], 3))
        tmp.add_module("ubn", nn.BatchNorm2d(up[i]))
        tmp.add_module("uact", act())
        tmp.add_module("u1", conv(up[i], up[i], 1))
        tmp.add_module("u1bn", nn.BatchNorm2d(up[i]))
        tmp.add_module("u1act", act())
        d_in = down[i]
        tmp = deeper_main
    model.add_module("out", conv(up[0], out_ch, 1))
    model.add_module("sigmoid", nn.Sigmoid())
    return model


def build(spec):
    g = torch.Generator().manual_seed(0)
    b = spec["batch"]
    kind = spec["kind"]
    if kind == "mlp":
        shape = spec["inputShape"]
        n_in = 1
        for s in shape:
            n_in *= s
        model = MLP(n_in, spec["hidden"], spec["classes"])
        x = torch.randn(b, *reversed_chw(shape), generator=g)
    elif kind == "cnn":
        model = cnn(spec)
        x = torch.randn(b, *reversed_chw(spec["inputShape"]), generator=g)
    elif kind == "resnet":
        model = ResNet(spec["depth"], spec["width"], spec["shortcuts"], spec["classes"])
        x = torch.randn(b, 3, 32, 32, generator=g)
    elif kind == "dip":
        s, c = spec["scales"], spec["channels"]
        model = skip_hourglass(spec["inputDepth"], [c] * s, [c] * s, [spec["skip"]] * s)
        x = torch.rand(b, spec["inputDepth"], spec["size"], spec["size"], generator=g) * 0.1
        y = torch.rand(b, 3, spec["size"], spec["size"], generator=g)
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        return model, x, y, opt, F.mse_loss
    else:
        raise ValueError(f"unknown workload kind {kind}")
    y = torch.randint(0, spec["classes"], (b,), generator=g)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return model, x, y, opt, F.cross_entropy


def reversed_chw(hwc):
    """NHWC sample shape (as in tfjs) to PyTorch's CHW."""
    if len(hwc) == 3:
        h, w, c = hwc
        return (c, h, w)
    return tuple(hwc)


def trainer(spec):
    """One training step (forward, backward, update) of the workload on its fixed batch."""
    model, x, y, opt, loss_fn = build(spec)
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def measure(spec, timing):
    step = trainer(spec)

    def steps(n):
        loss = None
        for _ in range(n):
            loss = step()
        if loss is not None:
            loss.item()

    t0 = time.perf_counter()
    steps(timing["warmupSteps"])
    warm = (time.perf_counter() - t0) * 1000 / max(1, timing["warmupSteps"])
    per_window = max(1, int(-(-timing["minWindowMs"] // max(warm, 1e-3))))
    ms = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(timing["windows"]):
        s = time.perf_counter()
        steps(per_window)
        ms.append((time.perf_counter() - s) * 1000 / per_window)
    cpu_per_wall = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    med = statistics.median(ms)
    return {"samples_per_s": spec["batch"] * 1000 / med, "step_ms_median": med, "steps_per_window": per_window, "cpu_per_wall": cpu_per_wall}


def sweep_arm(spec, window, warmup_steps):
    """Steps completed inside [startAt, endAt] (epoch ms), as bench/parallel-arm.ts counts ours."""
    step = trainer(spec)
    now_ms = lambda: time.time() * 1000
    for _ in range(warmup_steps):
        step()
    while now_ms() < window["startAt"]:
        step()  # keeps the core busy until the common window opens; not counted
    late_ms = max(0.0, now_ms() - window["startAt"])
    t0, cpu0 = time.perf_counter(), time.process_time()
    steps, loss = 0, None
    while now_ms() < window["endAt"]:
        loss = step()
        steps += 1
    if loss is not None:
        loss.item()
    seconds = time.perf_counter() - t0
    return {
        "steps": steps,
        "seconds": seconds,
        "samples_per_s": steps * spec["batch"] / seconds,
        "late_ms": late_ms,
        "cpu_per_wall": (time.process_time() - cpu0) / seconds,
    }


def matmul_gflops(n, timing):
    g = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=g)
    b = torch.randn(n, n, generator=g)
    t0 = time.perf_counter()
    for _ in range(max(1, timing["warmupSteps"])):
        torch.mm(a, b)
    warm = (time.perf_counter() - t0) * 1000 / max(1, timing["warmupSteps"])
    reps = max(1, int(-(-timing["minWindowMs"] // max(warm, 1e-3))))
    ms = []
    for _ in range(timing["windows"]):
        s = time.perf_counter()
        for _ in range(reps):
            torch.mm(a, b)
        ms.append((time.perf_counter() - s) * 1000 / reps)
    return 2 * n ** 3 / statistics.median(ms) / 1e6


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: torch_bench.py '<json config>' (the fields are in this file's docstring)")
    cfg = CFG
    threads = cfg.get("threads")
    if threads:
        torch.set_num_threads(int(threads))
    timing = cfg["timing"]
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "results": {}}
    if cfg.get("window"):
        out["sweep"] = sweep_arm(cfg["workloads"][0], cfg["window"], timing["warmupSteps"])
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
        return
    if cfg.get("matmul"):
        out["matmul_gflops"] = matmul_gflops(int(cfg["matmul"]), timing)
    for spec in cfg["workloads"]:
        out["results"][spec["id"]] = measure(spec, timing)
        print(f"[torch] {spec['id']}: {out['results'][spec['id']]['samples_per_s']:.1f} samples/s", file=sys.stderr, flush=True)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
