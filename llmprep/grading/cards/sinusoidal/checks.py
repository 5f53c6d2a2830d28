"""Hidden checks for `sinusoidal`. The reference runs in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close


def reference(length, d, *, layout="interleaved", exponent=2.0, swap=False, start=0, cos_own_index=False):
    """Float64 encoding; the keyword arguments produce the classic mistakes, used as hints."""
    pos = torch.arange(start, start + length, dtype=torch.float64)[:, None]
    two_i = torch.arange(0, d, 2, dtype=torch.float64)
    angle = pos / 10000 ** (exponent / 2 * two_i / d)  # (L, d/2)
    sin, cos = angle.sin(), angle.cos()
    if cos_own_index:  # the odd column 2i+1 uses its own index in the exponent
        cos = (pos / 10000 ** ((two_i + 1) / d)).cos()
    if swap:
        sin, cos = cos, sin
    if layout == "halves":
        return torch.cat((sin, cos), dim=-1)
    return torch.stack((sin, cos), dim=-1).flatten(-2)


def suspects(length, d):
    return {
        "sin and cos are in two halves; interleave them: sin in the even columns, cos in the odd ones": reference(
            length, d, layout="halves"
        ),
        "sin and cos are swapped: sin goes to the even columns 2i, cos to the odd columns 2i+1": reference(
            length, d, swap=True
        ),
        "the exponent is i/d for pair i; it is 2i/d (the even column index over d_model)": reference(
            length, d, exponent=1.0
        ),
        "the exponent is 2i/d with i the column index (4i/d for pair i): use arange(0, d, 2) / d": reference(
            length, d, exponent=4.0
        ),
        "column 2i+1 uses (2i+1)/d in the exponent; sin and cos of a pair share 10000^(2i/d)": reference(
            length, d, cos_own_index=True
        ),
        "positions start at 1; the first row is position 0": reference(length, d, start=1),
    }


def run(sub, case, length, d):
    out = sub.call("sinusoidal_positions", length, d)
    # float32 rounding of pos * frequency grows with the position; any grading dtype may answer in float32
    rtol = max(case.rtol, 1e-5)
    atol = max(case.atol, 1e-5 + 4e-7 * length)
    close(out, reference(length, d), case, suspects=suspects(length, d), rtol=rtol, atol=atol)
    return out.to(torch.float64)


def test_matches_reference(sub, case):
    run(sub, case, 12, 16)


def test_first_position(sub, case):
    out = run(sub, case, 3, 8)
    expected = torch.tensor([0.0, 1.0] * 4, dtype=torch.float64)
    close(out[0], expected, case, what="row 0 (position 0)")


def test_interleaved_layout(sub, case):
    out = run(sub, case, 5, 6)
    close(out[:, 0], torch.arange(5, dtype=torch.float64).sin(), case, what="column 0 (sin(pos))")
    close(out[:, 1], torch.arange(5, dtype=torch.float64).cos(), case, what="column 1 (cos(pos))")


def test_frequencies(sub, case):
    run(sub, case, 20, 64)


def test_small_d_model(sub, case):
    run(sub, case, 7, 2)


def test_long_sequence(sub, case):
    run(sub, case, 256, 32)


def test_single_position(sub, case):
    run(sub, case, 1, 10)
