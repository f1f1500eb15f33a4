"""Reference values for libs/metrics FID and Inception score (independent implementation).

FID follows pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm of sigma1 @ sigma2,
retry with eps=1e-6 on the diagonals if not finite, real part); IS follows the OpenAI
improved-GAN inception_score (10 consecutive splits, exp(mean KL), mean and np.std).
Inputs are generated here with a fixed numpy seed and stored in the fixture, so the
TypeScript tests read both the inputs and the expected outputs.

Re-run (needs numpy and scipy; output is deterministic):
    python3 scripts/reference/fid_is_reference.py > libs/metrics/test/fixtures/fid-is-reference.json
"""
import json
import sys

import numpy as np
from scipy import linalg


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    diff = mu1 - mu2
    covmean = linalg.sqrtm(sigma1.dot(sigma2))
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def stats(x):
    return np.mean(x, axis=0), np.cov(x, rowvar=False)


def inception_score(preds, splits=10):
    scores = []
    n = preds.shape[0]
    for i in range(splits):
        part = preds[(i * n // splits):((i + 1) * n // splits), :]
        py = np.mean(part, 0, keepdims=True)
        with np.errstate(divide='ignore', invalid='ignore'):
            kl = np.where(part > 0, part * (np.log(part) - np.log(py)), 0.0)
        scores.append(np.exp(np.mean(np.sum(kl, 1))))
    return float(np.mean(scores)), float(np.std(scores)), [float(s) for s in scores]


def main():
    rng = np.random.default_rng(20180601)
    cases = []
    for (n1, n2, d) in [(200, 150, 8), (300, 250, 16)]:
        a1 = rng.normal(size=(d, d))
        a2 = rng.normal(size=(d, d)) * 0.7 + np.eye(d)
        x1 = rng.normal(size=(n1, d)) @ a1 + rng.normal(size=d)
        x2 = rng.normal(size=(n2, d)) @ a2 + rng.normal(size=d) * 0.5
        # rounded so the fixture is small; the reference is computed on the rounded values
        x1 = np.round(x1, 5)
        x2 = np.round(x2, 5)
        mu1, s1 = stats(x1)
        mu2, s2 = stats(x2)
        cases.append({
            'n1': n1, 'n2': n2, 'd': d,
            'x1': x1.flatten().tolist(), 'x2': x2.flatten().tolist(),
            'fid': frechet_distance(mu1, s1, mu2, s2),
        })
    is_cases = []
    for (n, k, temp) in [(100, 10, 1.0), (1000, 10, 0.2), (250, 7, 3.0)]:
        logits = rng.normal(size=(n, k)) / temp
        p = np.exp(logits - logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        p = np.round(p, 7)
        p /= p.sum(1, keepdims=True)
        m, s, parts = inception_score(p, 10)
        is_cases.append({'n': n, 'k': k, 'probs': p.flatten().tolist(), 'mean': m, 'std': s, 'splits': parts})
    json.dump({
        'generator': 'scripts/reference/fid_is_reference.py',
        'numpy': np.__version__, 'scipy': __import__('scipy').__version__,
        'fid': cases, 'inception_score': is_cases,
    }, sys.stdout)


if __name__ == '__main__':
    main()
