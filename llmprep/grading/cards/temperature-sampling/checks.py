"""Hidden checks for `temperature-sampling`. Frequencies are compared with float64 probabilities computed here.

Statistics: each check draws n samples per row and compares every token's frequency with its probability
using Bernstein's inequality, union-bounded over all (row, token) cells, so that a correct sampler fails a
check with probability below DELTA whatever the seed. Inputs are drawn until every classic mistake's
distribution is separated from the right one by more than the two half-widths together, so those mistakes
fail with probability above 1 - DELTA.
"""

import math

import torch

DELTA = 1e-9
NEG_INF = float("-inf")


def half_width(n, probs, cells):
    """Bernstein: P(|freq - p| > w) <= DELTA / cells for a Binomial(n, p) frequency."""
    log_term = math.log(2 * cells / DELTA)
    var = probs * (1 - probs)
    return (log_term / 3 + torch.sqrt(log_term**2 / 9 + 2 * n * var * log_term)) / n


def separated(probs, wrong, n):
    cells = probs.numel()
    return bool(((probs - wrong).abs() > half_width(n, probs, cells) + half_width(n, wrong, cells)).any())


def distribution(logits, temperature, *, dim=-1):
    return torch.softmax(logits / temperature, dim=dim)


def suspects(logits, temperature):
    found = {}
    if temperature != 1.0:
        found["the logits were multiplied by the temperature: divide, softmax(logits / T)"] = distribution(
            logits, 1.0 / temperature
        )
        found["the temperature was ignored: the distribution is softmax(logits / T)"] = distribution(logits, 1.0)
    if logits.shape[0] > 1:
        probs = distribution(logits, temperature, dim=0)
        found["softmax ran over the batch dim: normalise each row over the vocabulary (dim=-1)"] = probs / probs.sum(
            -1, keepdim=True
        )
    return found


def pick_logits(case, b, v, temperature, scale=1.5, offset=0.0, n=40_000, masked=0):
    """Logits (rounded to the grading dtype) whose distribution is far from every suspect's."""
    logits = None
    for _ in range(100):
        logits = case.exact(case.randn(b, v, scale=scale, offset=offset))
        if masked:
            for row in range(b):
                cols = torch.randperm(v, generator=case.generator)[:masked]
                logits[row, cols] = NEG_INF
        probs = distribution(logits, temperature)
        if all(separated(probs, wrong, n) for wrong in suspects(logits, temperature).values()):
            return logits
    return logits


def draw(sub, case, logits, temperature, n):
    seed = int(case.randint(0, 2**31 - 1, (1,)))
    ids = sub.call("sample_seeded", logits, temperature, n, seed)
    b, v = logits.shape
    if not isinstance(ids, torch.Tensor):
        raise AssertionError(f"sample returned {type(ids).__name__}, expected a ({b}, {n}) int64 tensor")
    if tuple(ids.shape) != (b, n):
        raise AssertionError(f"sample returned shape {tuple(ids.shape)}, expected (B, num_samples) = ({b}, {n})")
    if ids.dtype.is_floating_point or ids.dtype == torch.bool:
        raise AssertionError(f"sample returned dtype {ids.dtype}, expected integer token ids (torch.int64)")
    ids = ids.long()
    if ids.min() < 0 or ids.max() >= v:
        raise AssertionError(f"sample returned ids in [{int(ids.min())}, {int(ids.max())}], outside [0, {v})")
    return ids


def check_frequencies(ids, probs, what, found=None):
    b, v = probs.shape
    n = ids.shape[1]
    counts = torch.zeros(b, v, dtype=torch.float64).scatter_add_(1, ids, torch.ones(ids.shape, dtype=torch.float64))
    impossible = (probs == 0) & (counts > 0)
    if impossible.any():
        row, tok = (int(i) for i in impossible.nonzero()[0])
        raise AssertionError(
            f"{what}: row {row} sampled token {tok} {int(counts[row, tok])} times, but its logit is -inf "
            "(probability 0)"
        )
    freq = counts / n
    width = half_width(n, probs, b * v)
    off = (freq - probs).abs() > width
    if not off.any():
        return
    row, tok = (int(i) for i in torch.unravel_index(((freq - probs).abs() / width).argmax(), probs.shape))
    hint = ""
    for text, wrong in (found or {}).items():
        if ((freq - wrong).abs() <= half_width(n, wrong, b * v)).all():
            hint = f"\nhint: {text}"
            break
    raise AssertionError(
        f"{what}: {int(off.sum())} of {b * v} token frequencies are off; worst: row {row}, token {tok} drawn with "
        f"frequency {freq[row, tok]:.4f} over {n} samples, expected {probs[row, tok]:.4f} ± {width[row, tok]:.4f} "
        f"(a correct sampler is within that with probability > 1 - {DELTA:g}); row {row} frequencies "
        f"{[round(x, 3) for x in freq[row].tolist()]}, expected {[round(x, 3) for x in probs[row].tolist()]}" + hint
    )


def run(sub, case, logits, temperature, n=40_000):
    ids = draw(sub, case, logits, temperature, n)
    what = f"sample(logits of shape {tuple(logits.shape)}, temperature={temperature:g}, num_samples={n})"
    check_frequencies(ids, distribution(logits, temperature), what, suspects(logits, temperature))


def test_shape_and_dtype(sub, case):
    draw(sub, case, case.exact(case.randn(3, 7)), 1.0, 11)


def test_distribution(sub, case):
    run(sub, case, pick_logits(case, 4, 8, 1.0), 1.0)


def test_low_temperature(sub, case):
    run(sub, case, pick_logits(case, 3, 8, 0.5), 0.5)


def test_high_temperature(sub, case):
    run(sub, case, pick_logits(case, 3, 8, 2.0, scale=2.5), 2.0)


def test_greedy_zero_temperature(sub, case):
    logits = case.exact(case.randn(5, 12, scale=2.0))
    logits[1, 3] = NEG_INF
    ids = draw(sub, case, logits, 0.0, 20)
    expected = logits.argmax(-1, keepdim=True).expand(-1, 20)
    if not torch.equal(ids, expected):
        row = int((ids != expected).any(-1).nonzero()[0])
        raise AssertionError(
            f"temperature=0 must be greedy: row {row} returned {ids[row, :8].tolist()}..., expected its argmax "
            f"{int(expected[row, 0])} every time"
        )


def test_masked_tokens(sub, case):
    logits = pick_logits(case, 4, 10, 0.8, masked=4)
    run(sub, case, logits, 0.8)


def test_large_logits(sub, case):
    logits = pick_logits(case, 3, 8, 1.0, offset=1000.0)
    run(sub, case, logits, 1.0)


def test_with_replacement(sub, case):
    # far more samples than tokens: draws are i.i.d., so tokens repeat
    run(sub, case, pick_logits(case, 2, 3, 1.0, scale=1.0, n=30_000), 1.0, n=30_000)


def test_seeded(sub, case):
    logits = case.exact(case.randn(3, 16))
    seed = int(case.randint(0, 2**31 - 1, (1,)))
    first = sub.call("sample_seeded", logits, 1.0, 500, seed)
    again = sub.call("sample_seeded", logits, 1.0, 500, seed)
    other = sub.call("sample_seeded", logits, 1.0, 500, seed + 1)
    for value in (first, again, other):
        assert isinstance(value, torch.Tensor) and tuple(value.shape) == (3, 500), "expected (3, 500) token ids"
    assert torch.equal(first, again), (
        "the same seed gave different samples: draw all randomness from `generator` "
        "(e.g. torch.multinomial(..., generator=generator)), not from the global random state"
    )
    assert not torch.equal(first, other), "different seeds gave identical samples: use the generator that is passed in"
