"""Hidden checks for `kl-estimators`. The references run in float64 here, in the judge."""

import math

import torch

from llmprep.grading.harness import close

NAMES = ("k1", "k2", "k3")
DELTA = 1e-9  # chance that a correct submission fails a statistical check, for any seed


def reference(logp, logq):
    log_r = logp - logq
    return -log_r, 0.5 * log_r**2, torch.expm1(log_r) - log_r


def suspects(logp, logq, which):
    log_r = logp - logq
    r = log_r.exp()
    variants = {
        "k1": {
            "k1 has the wrong sign, or the ratio is upside down: k1 = −log r = logq − logp": log_r,
        },
        "k2": {
            "k2 misses the 1/2: k2 = (log r)² / 2": log_r**2,
            "k2 is (log r)² / 2, not (r − 1)² / 2": 0.5 * (r - 1) ** 2,
        },
        "k3": {
            "k3 has the wrong sign: (r − 1) − log r is never negative": log_r - (r - 1),
            "k3 = (r − 1) − log r: the log term is subtracted": (r - 1) + log_r,
            "the ratio is upside down: r = p/q = exp(logp − logq)": (1 / r - 1) + log_r,
        },
    }
    return variants[which]


def call(sub, logp, logq):
    reply = sub.call("kl_estimators", logp, logq)
    assert isinstance(reply, list | tuple) and len(reply) == 3, (
        f"kl_estimators returned {type(reply).__name__}"
        + (f" of length {len(reply)}" if isinstance(reply, list | tuple) else "")
        + "; expected a tuple (k1, k2, k3)"
    )
    return reply


def check(sub, case, logp, logq, which=NAMES, loose=1.0):
    reply = call(sub, logp, logq)
    expected = reference(logp, logq)
    for i, name in enumerate(NAMES):
        if name in which:
            close(
                reply[i],
                expected[i],
                case,
                what=name,
                suspects=suspects(logp, logq, name),
                rtol=case.rtol * loose,
                atol=case.atol * loose,
            )


def samples(case, n, spread=1.5, offset=-5.0):
    logq = case.exact(case.randn(n, scale=2.0, offset=offset).clamp_max(-0.01))
    logp = case.exact(logq + case.randn(n, scale=spread))
    return logp, logq


def test_returns_tuple(sub, case):
    logp, logq = samples(case, 5)
    reply = call(sub, logp, logq)
    for name, value in zip(NAMES, reply, strict=True):
        assert isinstance(value, torch.Tensor) and tuple(value.shape) == (5,), (
            f"{name}: expected a tensor of shape (5,), got "
            + (f"shape {tuple(value.shape)}" if isinstance(value, torch.Tensor) else type(value).__name__)
        )


def test_k1(sub, case):
    check(sub, case, *samples(case, 64), which=("k1",))


def test_k2(sub, case):
    check(sub, case, *samples(case, 64), which=("k2",))


def test_k3(sub, case):
    check(sub, case, *samples(case, 64), which=("k3",))


def test_any_shape(sub, case):
    # per-token log-probs of a batch: (B, T)
    logp, logq = samples(case, 3 * 7)
    check(sub, case, logp.reshape(3, 7), logq.reshape(3, 7))


def test_identical_distributions(sub, case):
    logq = case.exact(case.randn(10, scale=2.0, offset=-4.0))
    check(sub, case, logq.clone(), logq)


def test_very_negative_log_probs(sub, case):
    # sequence-level log-probs: exp(-1000) is 0 in any float dtype, but r = exp(logp - logq) is ordinary
    logq = case.exact(case.randn(16, scale=50.0, offset=-1000.0))
    logp = case.exact(logq + case.randn(16, scale=1.0))
    check(sub, case, logp, logq)


def test_wide_ratios(sub, case):
    # |log r| up to 20: r from 2e-9 to 5e8; k3 stays >= 0. Multiples of 1/8: logp - logq is exact in any dtype
    logq = -(case.randint(8, 48, (24,)).double() / 8)
    log_r = case.randint(-160, 161, (24,)).double() / 8
    logp = logq + log_r
    check(sub, case, logp, logq)


def categorical_pair(case, v=12):
    q = torch.softmax(case.randn(v, scale=1.0), -1)
    p = torch.softmax(case.randn(v, scale=1.0), -1)
    return p, q


def mean_bound(values, weights, n):
    """Bernstein half-width for the mean of n i.i.d. draws of `values` with probabilities `weights`."""
    mu = (weights * values).sum()
    var = (weights * (values - mu) ** 2).sum().item()
    spread = (values.max() - values.min()).item()
    log_term = math.log(2 / DELTA)
    return (spread * log_term / 3 + math.sqrt((spread * log_term / 3) ** 2 + 2 * n * var * log_term)) / n


def unbiased_check(sub, case, index):
    n = 200_000
    p, q = categorical_pair(case)
    kl = (q * (q.log() - p.log())).sum().item()
    x = torch.multinomial(q, n, replacement=True, generator=case.generator)
    logp_all, logq_all = case.exact(p.log()), case.exact(q.log())
    reply = call(sub, logp_all[x], logq_all[x])
    got = reply[index]
    name = NAMES[index]
    assert isinstance(got, torch.Tensor) and tuple(got.shape) == (n,), f"{name}: expected a tensor of shape ({n},)"
    mean = got.double().mean().item()
    per_value = reference(logp_all, logq_all)[index]
    bound = mean_bound(per_value, q, n) + 1e-4  # + rounding of float32 values and sums
    if abs(mean - kl) > bound:
        hint = ""
        for text, wrong in suspects(logp_all, logq_all, name).items():
            if abs(mean - (q * wrong).sum().item()) <= bound:
                hint = f"\nhint: {text}"
                break
        raise AssertionError(
            f"{name}: the mean over {n} samples x ~ q is {mean:.5f}, but KL(q || p) = {kl:.5f}; a correct "
            f"unbiased estimator lands within ±{bound:.4f} of it (failure chance < {DELTA:g})" + hint
        )


def test_k1_unbiased(sub, case):
    unbiased_check(sub, case, 0)


def test_k3_unbiased(sub, case):
    unbiased_check(sub, case, 2)
