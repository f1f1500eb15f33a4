"""Reference PSNR and SSIM values for libs/metrics/test/psnr.test.ts, from an independent
numpy/scipy implementation.

SSIM follows Wang, Bovik, Sheikh & Simoncelli (2004) and their ssim_index.m: an 11x11 Gaussian
window (sigma 1.5, normalised), filter2(..., 'valid') statistics (population moments),
K1 = 0.01, K2 = 0.03, L = data range; the mean over valid windows; for colour images the mean
over channels. PSNR = 10 log10(L^2 / MSE).

Run: python3 scripts/reference/psnr_ssim_reference.py > libs/metrics/test/fixtures/psnr-ssim-reference.json
(numpy and scipy; the fixture records their versions).
"""
import json
import numpy as np
import scipy
from scipy.signal import correlate2d


def gaussian_window(n=11, sigma=1.5):
    x = np.arange(n) - (n - 1) / 2
    g = np.exp(-(x ** 2) / (2 * sigma ** 2))
    w = np.outer(g, g)
    return w / w.sum()


def ssim_channel(x, y, L=1.0):
    w = gaussian_window()
    f = lambda a: correlate2d(a, w, mode='valid')
    c1, c2 = (0.01 * L) ** 2, (0.03 * L) ** 2
    mx, my = f(x), f(y)
    vx = f(x * x) - mx * mx
    vy = f(y * y) - my * my
    cxy = f(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))
    return s.mean()


def ssim(a, b, L=1.0):
    return float(np.mean([ssim_channel(a[..., c], b[..., c], L) for c in range(a.shape[2])]))


def psnr(a, b, L=1.0):
    return float(10 * np.log10(L ** 2 / np.mean((a - b) ** 2)))


rng = np.random.default_rng(2018)
h, w = 17, 23
yy, xx = np.mgrid[0:h, 0:w]
# A smooth "image" (ramps and a sinusoid per channel) and noisy / blurred / shifted versions.
clean = np.stack([(xx / (w - 1)), (yy / (h - 1)), 0.5 + 0.4 * np.sin(xx / 3.0 + yy / 5.0)], axis=-1).astype(np.float32)
noisy = np.clip(clean + rng.normal(0, 0.1, clean.shape), 0, 1).astype(np.float32)
scaled = (0.7 * clean + 0.1).astype(np.float32)
uniform = rng.uniform(0, 1, clean.shape).astype(np.float32)
cases = []
for name, est in [('noisy', noisy), ('scaled', scaled), ('uniform', uniform)]:
    a, b = clean.astype(np.float64), est.astype(np.float64)
    cases.append({'name': name, 'estimate': [float(v) for v in est.ravel()], 'psnr': psnr(a, b), 'ssim': ssim(a, b)})
print(json.dumps({
    'source': 'scripts/reference/psnr_ssim_reference.py',
    'numpy': np.__version__, 'scipy': scipy.__version__,
    'height': h, 'width': w, 'channels': 3,
    'reference': [float(v) for v in clean.ravel()],
    'cases': cases,
}))
