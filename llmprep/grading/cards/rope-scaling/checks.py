"""Hidden checks for `rope-scaling`. The reference runs in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close

# float32 angles p * theta_i are off by up to a few ulps of p: the tolerance grows with the largest position
ANGLE_ULPS = 4e-7


def reference(
    positions,
    d,
    base=10000.0,
    scaling="none",
    factor=1.0,
    *,
    exponent=2.0,
    layout="half",
    ntk_power=None,
    pos_op=None,
):
    """Float64 cos/sin tables; the keyword arguments produce the classic mistakes, used as hints."""
    pos = positions.to(torch.float64)
    if scaling == "linear":
        pos = pos / factor if pos_op is None else pos_op(positions, factor)
    elif scaling == "ntk":
        power = d / (d - 2) if ntk_power is None else ntk_power
        base = base * factor**power
        if pos_op is not None:
            pos = pos_op(positions, factor)
    inv_freq = base ** (-exponent * torch.arange(d // 2, dtype=torch.float64) / d)
    angles = pos[..., None] * inv_freq
    angles = angles.repeat_interleave(2, dim=-1) if layout == "interleaved" else torch.cat((angles, angles), dim=-1)
    return angles.cos(), angles.sin()


def suspects(positions, d, base, scaling, factor, which):
    """which: 0 for cos, 1 for sin."""

    def pick(hint, **kw):
        return hint, reference(positions, d, base, scaling, factor, **kw)[which]

    found = dict(
        [
            pick("theta_i = b^(-i/d): the exponent is -2i/d for pair i (arange(0, d, 2) / d)", exponent=1.0),
            pick(
                "the tables are laid out (t0, t0, t1, t1, ...) (repeat_interleave); rotate-half needs "
                "cat((angles, angles), dim=-1)",
                layout="interleaved",
            ),
        ]
    )
    if factor != 1.0 and scaling == "linear":
        found.update(
            [
                pick(
                    "positions were multiplied by s; position interpolation divides them: p / s",
                    pos_op=lambda p, s: p.to(torch.float64) * s,
                ),
                pick(
                    "positions were floor-divided (p // s): p / s must stay a fraction, divide as floats",
                    pos_op=lambda p, s: torch.div(p, s, rounding_mode="floor").to(torch.float64),
                ),
            ]
        )
        found["linear scaling changed the base like NTK; it divides the positions by s instead"] = reference(
            positions, d, base, "ntk", factor
        )[which]
    if factor != 1.0 and scaling == "ntk":
        found.update(
            [
                pick("b' = b * s: the exponent d / (d - 2) is missing", ntk_power=1.0),
                pick(
                    "the exponent is upside down: b' = b * s^(d / (d - 2)), not s^((d - 2) / d)", ntk_power=(d - 2) / d
                ),
                pick(
                    "the exponent uses d/2 (the number of pairs): it is d / (d - 2) with d = head_dim",
                    ntk_power=(d / 2) / (d / 2 - 2) if d > 4 else 1.0,
                ),
                pick(
                    "NTK scaling changes only the base; the positions must not be divided by s as well",
                    pos_op=lambda p, s: p.to(torch.float64) / s,
                ),
            ]
        )
        found["NTK scaling divided the positions (that is linear interpolation); it changes the base"] = reference(
            positions, d, base, "linear", factor
        )[which]
    if factor != 1.0 and scaling == "none":
        found["scaling='none' must ignore the factor"] = reference(positions, d, base, "linear", factor)[which]
    if base != 10000.0:
        found["the `base` argument is ignored"] = reference(positions, d, 10000.0, scaling, factor)[which]
    return found


def check(sub, case, positions, d, base=None, scaling=None, factor=None, what=""):
    kwargs = {}
    if base is not None:
        kwargs["base"] = base
    if scaling is not None:
        kwargs["scaling"] = scaling
    if factor is not None:
        kwargs["factor"] = factor
    base = 10000.0 if base is None else base
    scaling = "none" if scaling is None else scaling
    factor = 1.0 if factor is None else factor
    reply = sub.call("rope_cos_sin", positions, d, **kwargs)
    call = (
        f"rope_cos_sin(positions {tuple(positions.shape)}, {d}, base={base:g}, scaling={scaling!r}, factor={factor:g})"
    )
    assert isinstance(reply, list | tuple) and len(reply) == 2, (
        f"{call} returned {type(reply).__name__}; expected a tuple (cos, sin)"
    )
    expected = reference(positions, d, base, scaling, factor)
    largest = positions.abs().max().item() if positions.numel() else 0
    atol = case.atol + ANGLE_ULPS * largest
    for which, name in enumerate(("cos", "sin")):
        close(
            reply[which],
            expected[which],
            case,
            what=f"{call}: {name}{what}",
            suspects=suspects(positions, d, base, scaling, factor, which),
            atol=atol,
        )


def test_no_scaling(sub, case):
    check(sub, case, torch.arange(12), 16)


def test_table_layout(sub, case):
    # the second half of each row repeats the first: entry i and i + d/2 rotate together
    positions = torch.tensor(case.ints(5, 0, 40))
    check(sub, case, positions, 8)


def test_given_positions(sub, case):
    # decoding with a KV cache: positions start at the cache length; (B, L) positions after left padding
    check(sub, case, torch.tensor([37, 38, 39, 52]), 16)
    check(sub, case, torch.tensor([[0, 1, 2, 3, 4], [0, 0, 0, 1, 2]]), 8)


def test_custom_base_and_dim(sub, case):
    check(sub, case, torch.tensor(case.ints(6, 0, 300)), 128, base=500000.0)


def test_factor_one_is_plain_rope(sub, case):
    positions = torch.tensor(case.ints(7, 0, 200))
    for scaling in ("linear", "ntk"):
        check(sub, case, positions, 32, scaling=scaling, factor=1.0, what=f" (factor 1 with {scaling!r})")
    check(sub, case, positions, 32, scaling="none", factor=4.0)


def test_linear_interpolation(sub, case):
    # positions that are not multiples of s: p / s is a fraction
    positions = torch.tensor(sorted(case.ints(9, 1, 4000)))
    check(sub, case, positions, 32, scaling="linear", factor=4.0)


def test_linear_is_a_shorter_context(sub, case):
    # position s * p with factor s sees exactly the angles plain RoPE gives position p
    short = torch.tensor(case.ints(6, 0, 2048))
    s = 8
    reply = sub.call("rope_cos_sin", short * s, 16, scaling="linear", factor=float(s))
    assert isinstance(reply, list | tuple) and len(reply) == 2, "expected a tuple (cos, sin)"
    expected = reference(short, 16)
    atol = case.atol + ANGLE_ULPS * short.max().item()
    for which, name in enumerate(("cos", "sin")):
        close(
            reply[which],
            expected[which],
            case,
            what=f"{name} at positions {s}·p with factor {s} (must equal plain RoPE at p)",
            suspects=suspects(short * s, 16, 10000.0, "linear", float(s), which),
            atol=atol,
        )


def test_ntk_base(sub, case):
    positions = torch.tensor(sorted(case.ints(8, 100, 3000)))
    check(sub, case, positions, 64, scaling="ntk", factor=4.0)


def test_ntk_frequency_endpoints(sub, case):
    # NTK-aware scaling keeps the highest frequency (theta_0 = 1: local order) and slows the lowest one,
    # theta_{d/2-1}, by exactly s (like interpolation), which is what d / (d - 2) is chosen for
    d, s = 32, 2.5
    positions = torch.tensor(sorted(case.ints(6, 500, 20000)))
    reply = sub.call("rope_cos_sin", positions, d, scaling="ntk", factor=s)
    assert isinstance(reply, list | tuple) and len(reply) == 2, "expected a tuple (cos, sin)"
    atol = case.atol + ANGLE_ULPS * positions.max().item()
    plain_cos, plain_sin = reference(positions, d)
    interp_cos, interp_sin = reference(positions, d, scaling="linear", factor=s)
    for which, name, plain, interp in ((0, "cos", plain_cos, interp_cos), (1, "sin", plain_sin, interp_sin)):
        got = reply[which]
        assert isinstance(got, torch.Tensor) and tuple(got.shape) == (len(positions), d), (
            f"{name}: expected a tensor of shape {(len(positions), d)}"
        )
        found = suspects(positions, d, 10000.0, "ntk", s, which)
        close(
            got[:, 0],
            plain[:, 0],
            case,
            what=f"{name}[:, 0], the highest frequency (NTK must leave theta_0 = 1 unchanged)",
            suspects={h: w[:, 0] for h, w in found.items()},
            atol=atol,
        )
        last = d // 2 - 1
        close(
            got[:, last],
            interp[:, last],
            case,
            what=f"{name}[:, {last}], the lowest frequency (NTK must slow it by exactly s, like interpolation)",
            suspects={h: w[:, last] for h, w in found.items()},
            atol=atol,
        )
    check(sub, case, positions, d, scaling="ntk", factor=s)


def test_long_context_positions(sub, case):
    # a 32k context on a model trained for 4k: angles reach thousands of radians; float32 angles are fine,
    # angles computed in a 16-bit dtype are not
    positions = torch.tensor(sorted(case.ints(6, 16000, 32768)))
    check(sub, case, positions, 64, scaling="linear", factor=8.0)
    check(sub, case, positions, 64, base=500000.0, scaling="ntk", factor=8.0)


def test_smallest_head_dim(sub, case):
    # d = 4 is the smallest head with d - 2 > 0; theta = (1, b'^(-1/2))
    check(sub, case, torch.tensor(case.ints(5, 0, 500)), 4, scaling="ntk", factor=2.0)
