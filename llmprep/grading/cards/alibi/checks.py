"""Hidden checks for `alibi`. The reference runs in float64 here, in the judge."""

import math

import pytest
import torch

from llmprep.grading.harness import close


def slopes(n):
    """The official get_slopes of Press et al. (ofirpress/attention_with_linear_biases)."""

    def power_of_two(k):
        start = 2 ** (-(2 ** -(math.log2(k) - 3)))
        return [start * start**i for i in range(k)]

    if math.log2(n).is_integer():
        return power_of_two(n)
    closest = 2 ** math.floor(math.log2(n))
    return power_of_two(closest) + slopes(2 * closest)[0::2][: n - closest]


def reference(n, length, slope_list=None, *, sign=-1.0):
    m = torch.tensor(slope_list if slope_list is not None else slopes(n), dtype=torch.float64)
    pos = torch.arange(length, dtype=torch.float64)
    bias = sign * m[:, None, None] * (pos[:, None] - pos[None, :])
    return bias.masked_fill(future_mask(length), float("-inf"))


def future_mask(length):
    return torch.ones(length, length, dtype=torch.bool).triu(1)


def suspects(n, length):
    found = {
        "the bias has the wrong sign: farther keys get a more NEGATIVE bias, -m_h * (i - j)": reference(
            n, length, sign=1.0
        ),
        "the slopes are counted from h = 0: m_h = 2^(-8 (h+1) / n), so head 0 gets 2^(-8/n), not 1": reference(
            n, length, [2 ** (-8 * h / n) for h in range(n)]
        ),
    }
    if not math.log2(n).is_integer():
        found["2^(-8 (h+1) / n) is only for powers of two; interpolate as get_slopes does for other n"] = reference(
            n, length, [2 ** (-8 * (h + 1) / n) for h in range(n)]
        )
        found["the slopes are sorted; get_slopes appends the extra slopes after the first p"] = reference(
            n, length, sorted(slopes(n), reverse=True)
        )
        closest = 2 ** math.floor(math.log2(n))
        odd = slopes(closest) + slopes(2 * closest)[1::2][: n - closest]
        found["the extra slopes are every other slope of 2p starting at index 0 ([0::2]), not 1"] = reference(
            n, length, odd
        )
    return found


MASK_HINT = (
    "mask exactly the future: bias.masked_fill(torch.ones(L, L, dtype=torch.bool).triu(1), float('-inf')); "
    "the diagonal j = i stays 0"
)


def as_finite(t, mask):
    return t.to(torch.float64).masked_fill(mask, 0.0)


def compare(out, expected, case, hints=None):
    """Exact -inf where j > i, finite values elsewhere, close to the reference."""
    if not isinstance(out, torch.Tensor):
        raise AssertionError(f"expected a tensor of shape {tuple(expected.shape)}, got {type(out).__name__}")
    if tuple(out.shape) != tuple(expected.shape):
        raise AssertionError(
            f"shape {tuple(out.shape)}, expected (num_heads, seq_len, seq_len) = {tuple(expected.shape)}"
        )
    assert out.is_floating_point(), f"dtype {out.dtype}, expected a floating dtype"
    length = expected.shape[-1]
    future = future_mask(length).expand_as(expected)
    got = out.to(torch.float64)
    wrong_future = future & ~torch.isneginf(got)
    if wrong_future.any():
        h, i, j = (int(v) for v in wrong_future.nonzero()[0])
        raise AssertionError(
            f"bias[{h}, {i}, {j}] = {got[h, i, j].item():.6g}: a future key (j > i) must get exactly float('-inf')"
            f"\nhint: {MASK_HINT}"
        )
    past_inf = ~future & ~torch.isfinite(got)
    if past_inf.any():
        h, i, j = (int(v) for v in past_inf.nonzero()[0])
        raise AssertionError(
            f"bias[{h}, {i}, {j}] = {got[h, i, j].item()}: keys j <= i must stay finite\nhint: {MASK_HINT}"
        )
    wrong = {hint: as_finite(t, future) for hint, t in (hints or {}).items()}
    tol = {"rtol": max(case.rtol, 1e-5), "atol": max(case.atol, 1e-5)}  # float32 is fine in any grading dtype
    close(as_finite(got, future), as_finite(expected, future), case, what="bias (j <= i)", suspects=wrong, **tol)


def run(sub, case, n, length):
    out = sub.call("alibi_bias", n, length)
    compare(out, reference(n, length), case, suspects(n, length))
    return out


def test_power_of_two_heads(sub, case):
    run(sub, case, 8, 6)


@pytest.mark.parametrize("heads", [3, 6, 12])
def test_non_power_of_two_heads(sub, case, heads):
    run(sub, case, heads, 5)


def test_slopes(sub, case):
    for n in (4, 16, 5):
        out = sub.call("alibi_bias", n, 2)
        assert isinstance(out, torch.Tensor) and tuple(out.shape) == (n, 2, 2), "expected shape (num_heads, 2, 2)"
        close(
            -out[:, 1, 0].to(torch.float64),
            torch.tensor(slopes(n), dtype=torch.float64),
            case,
            what=f"slopes -bias[:, 1, 0] for {n} heads",
            rtol=max(case.rtol, 1e-5),
            atol=max(case.atol, 1e-6),
        )


def test_causal_mask(sub, case):
    run(sub, case, 4, 7)


def test_diagonal_is_zero(sub, case):
    out = sub.call("alibi_bias", 4, 5)
    assert isinstance(out, torch.Tensor) and tuple(out.shape) == (4, 5, 5), "expected shape (num_heads, L, L)"
    diagonal = torch.diagonal(out.to(torch.float64), dim1=-2, dim2=-1)
    assert torch.isfinite(diagonal).all(), "the diagonal (j = i) is masked: a query may attend to its own key"
    close(diagonal, torch.zeros(4, 5, dtype=torch.float64), case, what="bias[h, i, i]")


def test_single_head(sub, case):
    run(sub, case, 1, 4)


def test_sequence_length_one(sub, case):
    run(sub, case, 8, 1)


def test_long_sequence(sub, case):
    run(sub, case, 2, 64)
