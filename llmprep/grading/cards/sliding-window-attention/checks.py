"""Hidden checks for `sliding-window-attention`. The references run in float64 here, in the judge.

How "banded, never T x T" is checked: `long_sequence` sends a sequence whose (T, T) bool mask alone does not
fit. On the CPU the card's memory limit (card.yaml `limits.memory_bytes`: 512 MiB on top of the worker's own
mappings) is below one (T, T) bool tensor (1 GiB at T = 32768), while the band of (block, block + window - 1)
tiles takes well under a MiB. On CUDA, where the address-space limit does not apply, T is sized from the
device's memory so that T^2 bytes exceed it.
"""

import math

import torch

from llmprep.grading.harness import close
from llmprep.grading.judge import SubmissionFailure

NEG_INF = float("-inf")


def mask(t, window, *, lo_inclusive=False, causal=True, banded=True):
    """True = may attend; the keywords give the classic mistakes (a window one key wider, no causal bound)."""
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    keep = torch.ones(t, t, dtype=torch.bool)
    if causal:
        keep &= j <= i
    if banded:
        keep &= (j >= i - window) if lo_inclusive else (j > i - window)
        if not causal:
            keep &= j < i + window
    return keep


def attention(q, k, v, allowed, scale=None):
    s = q @ k.transpose(-2, -1) / (math.sqrt(q.shape[-1]) if scale is None else scale)
    return torch.softmax(s.masked_fill(~allowed, NEG_INF), dim=-1) @ v


def suspects(q, k, v, window):
    t = q.shape[-2]
    found = {
        "the window is one key too wide: query i sees i - window < j <= i (window keys, itself included)": (
            attention(q, k, v, mask(t, window, lo_inclusive=True))
        ),
        "the window is missing: this is plain causal attention": attention(q, k, v, mask(t, window, banded=False)),
        "the causal bound is missing: query i must not see keys j > i": attention(
            q, k, v, mask(t, window, causal=False)
        ),
        "the scores are not scaled: divide q k^T by sqrt(d)": attention(q, k, v, mask(t, window), scale=1.0),
    }
    return found


def describe(m):
    return "\n".join("  " + " ".join("1" if x else "." for x in row) for row in m.tolist())


def check_mask(sub, t, window):
    got = sub.call("sliding_window_mask", t, window)
    want = mask(t, window)
    assert isinstance(got, torch.Tensor), f"sliding_window_mask returned {type(got).__name__}, expected a tensor"
    assert got.dtype == torch.bool, f"sliding_window_mask({t}, {window}) has dtype {got.dtype}, expected torch.bool"
    assert tuple(got.shape) == (t, t), (
        f"sliding_window_mask({t}, {window}) has shape {tuple(got.shape)}, expected ({t}, {t})"
    )
    if torch.equal(got, want):
        return
    hints = {
        "True means 'may attend': the mask is inverted": ~want,
        "the window is one key too wide: keep j > i - window, not j >= i - window": mask(t, window, lo_inclusive=True),
        "the causal bound is missing: keep j <= i as well": mask(t, window, causal=False),
        "the window is missing: this is the plain causal mask": mask(t, window, banded=False),
    }
    hint = next((h for h, m in hints.items() if torch.equal(got, m)), "")
    raise AssertionError(
        f"sliding_window_mask({t}, {window}) (1 = may attend) is\n{describe(got)}\nexpected\n{describe(want)}"
        + (f"\nhint: {hint}" if hint else "")
    )


def inputs(case, b, h, t, d):
    return tuple(case.exact(case.randn(b, h, t, d)) for _ in range(3))


def run(sub, case, q, k, v, window, block):
    got = sub.call("sliding_window_attention", q, k, v, window, block_size=block)
    close(
        got,
        attention(q, k, v, mask(q.shape[-2], window)),
        case,
        what=f"sliding_window_attention(T={q.shape[-2]}, window={window}, block_size={block})",
        suspects=suspects(q, k, v, window),
    )


def test_mask_small(sub, case):
    check_mask(sub, 8, 3)
    check_mask(sub, 6, 2)


def test_mask_edges(sub, case):
    check_mask(sub, 5, 1)  # only the diagonal
    check_mask(sub, 5, 5)  # window = T: plain causal
    check_mask(sub, 4, 9)  # window > T: plain causal


def test_attention(sub, case):
    run(sub, case, *inputs(case, 2, 2, 40, 8), window=6, block=16)


def test_window_one(sub, case):
    q, k, v = inputs(case, 1, 2, 9, 4)
    run(sub, case, q, k, v, window=1, block=4)  # every token sees only itself: the output is v


def test_window_covers_sequence(sub, case):
    q, k, v = inputs(case, 2, 1, 12, 8)
    run(sub, case, q, k, v, window=12, block=5)
    run(sub, case, q, k, v, window=50, block=64)


def test_block_boundaries(sub, case):
    q, k, v = inputs(case, 1, 2, 37, 8)
    for block in (1, 5, 7, 16, 37, 100):  # smaller and larger than the window, not dividing T, >= T
        run(sub, case, q, k, v, window=7, block=block)


def test_long_sequence(sub, case, device):
    if device == "cpu":
        t, block = 32768, 128  # a (T, T) bool mask is 1 GiB: over the card's memory limit
    else:
        total = torch.cuda.get_device_properties(torch.device(device)).total_memory
        t, block = int(math.ceil(math.sqrt(1.1 * total) / 1024) * 1024), 1024  # T^2 bytes exceed the device
    window, d = 128, 8
    q, k, v = inputs(case, 1, 1, t, d)
    try:
        got = sub.call("sliding_window_attention", q, k, v, window, block_size=block)
    except SubmissionFailure as exc:
        if exc.status != "memory":
            raise
        raise SubmissionFailure(
            "memory",
            f"{exc.message}\nhint: out of memory at T={t}: nothing of size (T, T) fits here, not even a bool mask; "
            "build (block, block + window - 1) tiles and their masks from positions",
        ) from None
    assert isinstance(got, torch.Tensor) and tuple(got.shape) == (1, 1, t, d), (
        f"returned {type(got).__name__} {tuple(getattr(got, 'shape', ()))}, expected a tensor (1, 1, {t}, {d})"
    )
    picked = torch.cat([torch.tensor([0, 1, window - 1, window, t - 1]), case.randint(0, t, (200,))]).unique()
    want = torch.empty(len(picked), d, dtype=torch.float64)
    for n, i in enumerate(picked.tolist()):
        first = max(0, i - window + 1)
        s = q[0, 0, i] @ k[0, 0, first : i + 1].T / math.sqrt(d)
        want[n] = torch.softmax(s, dim=-1) @ v[0, 0, first : i + 1]
    close(got[0, 0, picked], want, case, what=f"rows {picked.tolist()[:6]}... of the output (T={t}, window={window})")


def test_gradients(sub, case):
    window, block = 5, 4
    module = sub.new("SlidingWindowAttention", window, block)
    q, k, v = inputs(case, 2, 2, 11, 8)
    grad_out = case.exact(case.randn(2, 2, 11, 8))
    out, grads = module.backward("__call__", q, k, v, grad_out=grad_out, wrt=(0, 1, 2))
    leaves = [t.clone().requires_grad_(True) for t in (q, k, v)]
    expected = attention(*leaves, mask(11, window))
    expected.backward(grad_out)
    close(out, expected.detach(), case)
    for name, given, want in zip("qkv", grads["inputs"], leaves, strict=True):
        assert given is not None, f"no gradient reached {name}"
        close(given, want.grad, case, what=f"gradient of {name}", rtol=case.rtol * 10, atol=case.atol * 10)
