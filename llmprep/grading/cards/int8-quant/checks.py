"""Hidden checks for `int8-quant`: absmax symmetric int8 quantize(x, dim=None) -> (q, scale), dequantize."""

import torch

from llmprep.grading.harness import close


def reference_scale(x, dim=None):
    """Float64 scale (absmax / 127, keepdim per channel); all-zero channels get NaN (any positive is fine)."""
    if dim is None:
        absmax = x.abs().amax()
    else:
        dim = dim % x.dim()
        others = tuple(d for d in range(x.dim()) if d != dim)
        absmax = x.abs().amax(dim=others, keepdim=True)
    return torch.where(absmax > 0, absmax / 127, torch.full_like(absmax, float("nan")))


def scale_shape_hint(got, x, dim):
    if dim is None:
        return "\nhint: per-tensor scale is a 0-d tensor: x.abs().max() / 127" if got.dim() else ""
    dim = dim % x.dim()
    if tuple(got) == (x.shape[dim],):
        return "\nhint: keep the reduced dims as size 1 (keepdim=True) so that q * scale broadcasts"
    wrong_axis = [1 if d == dim else n for d, n in enumerate(x.shape)]
    if list(got) == wrong_axis:
        return "\nhint: the absmax was taken along `dim`; take it over all OTHER dims (one scale per channel)"
    if tuple(got) == tuple(x.shape):
        return "\nhint: one scale per element: reduce over all dims except `dim` (a negative dim counts from the end)"
    return ""


def quantize(sub, case, x, dim=None):
    """Call the submission and check scale and q against the float64 reference; returns (q, scale, ref)."""
    x = case.exact(x)
    q, scale = sub.call("quantize", x) if dim is None else sub.call("quantize", x, dim)
    want = reference_scale(x, dim)
    assert isinstance(scale, torch.Tensor), f"scale: expected a tensor, got {type(scale).__name__}"
    assert isinstance(q, torch.Tensor), f"q: expected a tensor, got {type(q).__name__}"
    if tuple(scale.shape) != tuple(want.shape):
        raise AssertionError(
            f"scale: shape {tuple(scale.shape)}, expected {tuple(want.shape)} for x of shape {tuple(x.shape)}, "
            f"dim={dim}" + scale_shape_hint(scale.shape, x, dim)
        )
    zero = torch.isnan(want)
    got_scale = scale.to(torch.float64)
    if zero.any():
        bad = ~torch.isfinite(got_scale[zero]) | (got_scale[zero] <= 0)
        assert not bad.any(), (
            f"scale of an all-zero channel is {got_scale[zero][bad][0].item()}; it must be positive and finite"
            "\nhint: absmax is 0 there: use e.g. torch.where(absmax > 0, absmax / 127, 1.0)"
        )
    close(
        torch.where(zero, 0.0, got_scale),
        torch.where(zero, 0.0, want),
        case,
        what="scale",
        suspects={
            "scale = absmax / 128: divide by 127 (symmetric range [-127, 127])": torch.where(
                zero, 0.0, want * 127 / 128
            ),
            "scale = absmax / 255: that is an 8-bit unsigned range; here scale = absmax / 127": torch.where(
                zero, 0.0, want * 127 / 255
            ),
            "scale = 127 / absmax is inverted: scale = absmax / 127": torch.where(zero, 0.0, 1 / (want * 127**2)),
        },
    )
    check_q(q, x, want.nan_to_num(1.0), case)
    return q, scale


def check_q(q, x, scale, case):
    if tuple(q.shape) != tuple(x.shape):
        raise AssertionError(f"q: shape {tuple(q.shape)}, expected {tuple(x.shape)} (the shape of x)")
    v = x / scale  # float64
    want = v.round().clamp(-127, 127)
    got = q.to(torch.float64)
    assert torch.isfinite(got).all(), "q has NaN/inf values\nhint: absmax can be 0: never divide 0 by 0"
    # the submission divides in the grading dtype: a value within rounding error of .5 may go either way
    tol = 1000 * torch.finfo(case.dtype).eps
    near_half = ((v.abs() - v.abs().floor()) - 0.5).abs() < tol
    off = (got - want).abs() > torch.where(near_half, 1.0, 0.0)
    if not off.any():
        return
    i = tuple(int(j) for j in off.nonzero()[0])
    message = (
        f"q: {int(off.sum())} of {off.numel()} values differ; at {list(i)}: x = {x[i].item():.6g}, "
        f"x / scale = {v[i].item():.4f}, got {got[i].item():g}, expected {want[i].item():g}"
    )
    for hint, wrong in (
        ("q is truncated toward zero: round to nearest (torch.round) before casting", v.trunc()),
        ("q is floored: round to nearest (torch.round), not floor", v.floor()),
        ("q is x * scale: divide, q = round(x / scale)", (x * scale).round().clamp(-127, 127)),
    ):
        if (got[off] == wrong.clamp(-128, 127)[off]).double().mean() > 0.9:  # float32 may differ at a few
            message += f"\nhint: {hint}"
            break
    raise AssertionError(message)


def test_per_tensor(sub, case):
    quantize(sub, case, case.randn(6, 10, scale=3.0))


def test_int8_dtype(sub, case):
    q, _ = quantize(sub, case, case.randn(4, 5))
    assert q.dtype == torch.int8, f"q has dtype {q.dtype}, expected torch.int8"
    q, _ = quantize(sub, case, case.randn(4, 5), 0)
    assert q.dtype == torch.int8, f"q (per channel) has dtype {q.dtype}, expected torch.int8"


def test_rounds_to_nearest(sub, case):
    # x / scale lands at integer + f with |f| <= 0.4: truncation and floor are visibly wrong
    n = 40
    k = case.randint(-126, 127, (n,)).to(torch.float64)
    f = (case.rand(n) - 0.5) * 0.8
    s = 0.01 + case.rand(1).item()
    x = torch.cat([(k + f) * s, torch.tensor([127 * s])])
    quantize(sub, case, x[torch.randperm(n + 1, generator=case.generator)])


def test_per_channel_rows(sub, case):
    w = case.randn(5, 8) * (case.rand(5, 1) * 4 + 0.1)  # rows of very different magnitudes
    quantize(sub, case, w, 0)


def test_per_channel_columns(sub, case):
    w = case.randn(6, 4) * (case.rand(1, 4) * 4 + 0.1)
    quantize(sub, case, w, -1)
    quantize(sub, case, w, 1)


def test_per_channel_3d(sub, case):
    x = case.randn(2, 3, 4) * (case.rand(1, 3, 1) * 4 + 0.1)
    quantize(sub, case, x, 1)


def test_all_zero_tensor(sub, case):
    q, _ = quantize(sub, case, torch.zeros(3, 4, dtype=torch.float64))
    assert (q.to(torch.float64) == 0).all(), f"q of an all-zero tensor should be 0, got {q}"


def test_all_zero_rows(sub, case):
    w = case.randn(5, 6)
    w[1] = 0.0
    w[3] = 0.0
    quantize(sub, case, w, 0)


def test_dequantize(sub, case):
    q = case.randint(-127, 128, (4, 6)).to(torch.int8)
    scale = case.exact(case.rand(4, 1) + 0.01)
    out = sub.call("dequantize", q, scale)
    want = q.to(torch.float64) * scale
    close(
        out,
        want,
        case,
        what="dequantize(q, scale)",
        suspects={"dequantize divides by scale: multiply, x ≈ q * scale": q.to(torch.float64) / scale},
    )
    scale0 = case.exact(case.rand(()) + 0.01)
    close(sub.call("dequantize", q, scale0), q.to(torch.float64) * scale0, case, what="dequantize with a 0-d scale")


def test_round_trip_error(sub, case):
    x = case.exact(case.randn(8, 16, scale=2.0))
    for dim in (None, 0):
        q, scale = sub.call("quantize", x) if dim is None else sub.call("quantize", x, dim)
        back = sub.call("dequantize", q, scale)
        assert isinstance(back, torch.Tensor) and tuple(back.shape) == tuple(x.shape), "dequantize: wrong shape"
        err = (back.to(torch.float64) - x).abs()
        bound = scale.to(torch.float64) / 2 * (1 + 1e-3) + case.atol
        worst = (err - bound).max().item()
        assert (err <= bound).all(), (
            f"dim={dim}: |dequantize(quantize(x)) - x| exceeds scale / 2 by up to {worst:.3g}"
            "\nhint: round to nearest and multiply back by the same scale"
        )


def test_large_values(sub, case):
    quantize(sub, case, case.randn(4, 32, scale=1e4), 0)
    quantize(sub, case, case.randn(4, 32, scale=1e-4))
