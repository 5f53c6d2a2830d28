"""Hidden checks for `rope`. The reference runs in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close


def reference(x, positions, base=10000.0, *, layout="half", exponent=2.0, sign=1.0):
    """Float64 RoPE; the keyword arguments produce the classic mistakes, used as hints."""
    d = x.shape[-1]
    half = d // 2
    inv_freq = base ** (-exponent * torch.arange(half, dtype=torch.float64) / d)
    angles = positions.to(torch.float64)[..., None] * inv_freq * sign
    if angles.dim() == 3:
        angles = angles.unsqueeze(1)
    cos, sin = angles.cos(), angles.sin()
    if layout == "interleaved":  # GPT-J: pairs (2i, 2i+1)
        x1, x2 = x[..., 0::2], x[..., 1::2]
        return torch.stack((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1).flatten(-2)
    x1, x2 = x[..., :half], x[..., half:]
    if layout == "repeat_interleave":  # rotate-half pairing with angles laid out as (t0, t0, t1, t1, ...)
        cos2, sin2 = cos.repeat_interleave(2, dim=-1), sin.repeat_interleave(2, dim=-1)
        return x * cos2 + torch.cat((-x2, x1), dim=-1) * sin2
    return torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)


def suspects(x, positions, base=10000.0):
    found = {
        "pairs are interleaved (2i, 2i+1, GPT-J); this card pairs i with i + d/2 (rotate-half)": reference(
            x, positions, base, layout="interleaved"
        ),
        "theta_i = base^(-i/d): the exponent is -2i/d for pair i (or arange(0, d, 2) / d)": reference(
            x, positions, base, exponent=1.0
        ),
        "the rotation goes the wrong way: rotate_half(x) = cat(-x2, x1), not cat(x2, -x1)": reference(
            x, positions, base, sign=-1.0
        ),
        "cos/sin are laid out as (t0, t0, t1, t1, ...) (repeat_interleave); rotate-half needs cat(angles, angles)": (
            reference(x, positions, base, layout="repeat_interleave")
        ),
    }
    if base != 10000.0:
        found["the `base` argument is ignored"] = reference(x, positions)
    return found


def rope(sub, case, x, positions, base=None, rtol=None, atol=None):
    x = case.exact(x)
    out = sub.call("apply_rope", x, positions) if base is None else sub.call("apply_rope", x, positions, base)
    expected = reference(x, positions, 10000.0 if base is None else base)
    close(
        out,
        expected,
        case,
        suspects=suspects(x, positions, 10000.0 if base is None else base),
        rtol=rtol,
        atol=atol,
    )
    return out.to(torch.float64)


def test_matches_reference(sub, case):
    rope(sub, case, case.randn(2, 3, 5, 16), torch.arange(5))


def test_norm_preserved(sub, case):
    x = case.exact(case.randn(2, 2, 6, 8))
    out = sub.call("apply_rope", x, torch.arange(6) * 3)
    assert tuple(out.shape) == tuple(x.shape), f"shape {tuple(out.shape)}, expected {tuple(x.shape)}"
    close(out.to(torch.float64).norm(dim=-1), x.norm(dim=-1), case, what="norm of each rotated vector")
    # per pair (x_i, x_{i+d/2}) too: each pair is rotated on its own
    pairs_in = x[..., :4] ** 2 + x[..., 4:] ** 2
    got = out.to(torch.float64)
    close(got[..., :4] ** 2 + got[..., 4:] ** 2, pairs_in, case, what="norm of each (i, i + d/2) pair")


def test_relative_position(sub, case):
    # the same q (and k) vector at every position: after RoPE, q_m · k_n must depend only on m - n
    length, d = 7, 8
    q = case.exact(case.randn(1, 1, 1, d)).expand(1, 1, length, d).contiguous()
    k = case.exact(case.randn(1, 1, 1, d)).expand(1, 1, length, d).contiguous()
    positions = torch.arange(length) + 3
    rq = sub.call("apply_rope", q, positions).to(torch.float64)[0, 0]
    rk = sub.call("apply_rope", k, positions).to(torch.float64)[0, 0]
    scores = rq @ rk.T  # (L, L)
    for offset in range(-length + 1, length):
        diagonal = torch.diagonal(scores, offset)
        close(
            diagonal,
            diagonal[:1].expand_as(diagonal),
            case,
            what=f"q_m · k_n along m - n = {-offset} (must not depend on m)",
            rtol=case.rtol * 10,
            atol=case.atol * 10,
        )


def test_position_zero_is_identity(sub, case):
    x = case.exact(case.randn(2, 2, 4, 8))
    out = sub.call("apply_rope", x, torch.zeros(4, dtype=torch.long))
    close(out, x, case, what="output at position 0")


def test_uses_given_positions(sub, case):
    # decoding with a KV cache: positions start at the cache length and need not be contiguous
    rope(sub, case, case.randn(1, 2, 4, 8), torch.tensor([9, 10, 11, 17]))


def test_batched_positions(sub, case):
    positions = torch.tensor([[0, 1, 2, 3, 4], [0, 0, 0, 1, 2]])  # (B, L): the second row is left-padded
    rope(sub, case, case.randn(2, 3, 5, 8), positions)


def test_custom_base(sub, case):
    rope(sub, case, case.randn(1, 2, 6, 16), torch.arange(6) * 5, base=500000.0)


def test_large_positions(sub, case):
    # long-context positions: the angles reach thousands of radians. Rounding of position * theta in float32
    # is tolerated; angles computed in a low-precision dtype are not
    x = case.randn(1, 2, 4, 16)
    positions = torch.tensor([1000, 2047, 4095, 8191])
    rope(sub, case, x, positions, rtol=max(case.rtol, 5e-3), atol=max(case.atol, 5e-4))


def test_smallest_head_dim(sub, case):
    rope(sub, case, case.randn(3, 1, 4, 2), torch.arange(4))


def test_gradients(sub, case):
    module = sub.new("RotaryEmbedding")
    x = case.exact(case.randn(2, 2, 5, 8))
    positions = torch.arange(5) + 2
    grad_out = case.exact(case.randn(2, 2, 5, 8))
    out, grads = module.backward("__call__", x, positions, grad_out=grad_out, wrt=(0,))
    x64 = x.clone().requires_grad_(True)
    expected = reference(x64, positions)
    expected.backward(grad_out)
    close(out, expected.detach(), case, suspects=suspects(x, positions))
    close(grads["inputs"][0], x64.grad, case, what="gradient of x")
