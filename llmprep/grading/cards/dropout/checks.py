"""Hidden checks for `dropout`. Masks are random, so the training-mode checks are statistical: each bound is
Z = 6 standard deviations of the statistic for a correct dropout (a false failure has probability about 2e-9
per bound, whatever the seed), while the classic mistakes miss by dozens of standard deviations."""

import math

import torch

from llmprep.grading.harness import close

Z = 6.0


def positive(case, *shape):
    """Inputs in [0.5, 1.5]: never zero, so a zero in the output is a dropped element."""
    return case.exact(case.rand(*shape) + 0.5)


def build(sub, p=None):
    module = sub.new("Dropout") if p is None else sub.new("Dropout", p)
    assert module.param_shapes == {}, f"parameters {module.param_shapes}: dropout has none"
    return module


def seeded(module, case, x):
    seed = case.ints(1, 0, 2**31 - 1)[0]
    out = module.method("forward_seeded", x, seed)
    assert isinstance(out, torch.Tensor), f"forward returned {type(out).__name__}, expected a tensor"
    assert tuple(out.shape) == tuple(x.shape), f"output shape {tuple(out.shape)}, expected {tuple(x.shape)}"
    got = out.to(torch.float64)
    assert torch.isfinite(got).all(), "the output holds inf or nan"
    return got


def test_no_parameters(sub, case):
    build(sub, 0.3)


def test_train_is_default(sub, case):
    module = build(sub, 0.5)
    x = positive(case, 1000)
    got = seeded(module, case, x)
    assert (got == 0).any(), "a fresh Dropout(0.5) zeroed nothing in 1000 elements: modules start in training mode"


def test_eval_mode(sub, case):
    module = build(sub, 0.4)
    module.method("eval")
    x = case.exact(case.randn(8, 50))
    got = seeded(module, case, x)
    if not torch.equal(got, x):
        ratio = (got / x).median().item()
        hint = ""
        if abs(ratio - 0.6) < 1e-3:
            hint = "\nhint: eval multiplies by (1 - p): that is the old, non-inverted dropout; inverted dropout scales at train time, so eval is the identity"
        elif (got == 0).any():
            hint = "\nhint: eval mode still drops elements: check self.training"
        raise AssertionError(f"eval mode changed the input ({int((got != x).sum())} of {x.numel()} elements)" + hint)


def test_zero_fraction(sub, case):
    for p in (0.3, 0.8):
        module = build(sub, p)
        n = 100_000
        got = seeded(module, case, positive(case, 100, 1000))
        frac = (got == 0).double().mean().item()
        bound = Z * math.sqrt(p * (1 - p) / n)
        hint = ""
        if abs(frac - (1 - p)) <= bound:
            hint = "\nhint: p is the probability of DROPPING an element; you keep elements with probability p"
        assert abs(frac - p) <= bound, (
            f"p = {p}: {frac:.4f} of the elements are zero, expected {p} ± {bound:.4f}" + hint
        )


def test_survivors_scaled(sub, case):
    p = 0.25
    module = build(sub, p)
    x = positive(case, 40, 50)
    got = seeded(module, case, x)
    kept = got != 0
    assert kept.any(), "every element was dropped at p = 0.25"
    close(
        got[kept],
        x[kept] / (1 - p),
        case,
        what="kept elements (x / (1 - p))",
        suspects={
            "kept elements are not rescaled: inverted dropout divides them by (1 - p)": x[kept],
            "kept elements are multiplied by (1 - p); divide by (1 - p) instead": x[kept] * (1 - p),
            "kept elements are divided by p; divide by (1 - p), the keep probability": x[kept] / p,
        },
    )


def test_mean_preserved(sub, case):
    p = 0.6
    module = build(sub, p)
    x = positive(case, 200, 500)
    got = seeded(module, case, x)
    n = x.numel()
    # mean(out) = sum(x_i * keep_i) / ((1 - p) n): its standard deviation is sqrt(p / (1 - p) * sum(x_i^2)) / n
    sd = math.sqrt(p / (1 - p) * (x**2).sum().item()) / n
    got_mean, want = got.mean().item(), x.mean().item()
    hints = {
        "the output is not rescaled: divide the kept elements by (1 - p)": want * (1 - p),
        "the kept elements are multiplied by (1 - p); divide by (1 - p)": want * (1 - p) ** 2,
        "p is the DROP probability: keep with probability 1 - p": want * p / (1 - p),
    }
    hint = next((h for h, m in hints.items() if abs(got_mean - m) <= Z * sd * 2), "")
    assert abs(got_mean - want) <= Z * sd, (
        f"mean of the output {got_mean:.5f}, expected the input's mean {want:.5f} ± {Z * sd:.5f} "
        "(inverted dropout keeps E[out] = x)" + (f"\nhint: {hint}" if hint else "")
    )


def test_elementwise_mask(sub, case):
    # every element is dropped independently: no mask shared by rows, columns or whole rows
    module = build(sub, 0.5)
    x = positive(case, 64, 128)
    dropped = seeded(module, case, x) == 0
    rows = dropped.unique(dim=0).shape[0]
    cols = dropped.unique(dim=1).shape[1]
    row_frac = dropped.double().mean(1)
    assert rows > 32 and cols > 64, (
        f"the mask repeats: {rows} distinct rows of 64 and {cols} distinct columns of 128; draw one random number "
        "per element (torch.rand(x.shape)), not per row or per feature"
    )
    assert not ((row_frac == 0) | (row_frac == 1)).all(), "whole rows are dropped or kept: drop single elements"


def test_reproducible_with_generator(sub, case):
    module = build(sub, 0.5)
    x = positive(case, 30, 40)
    seed = case.ints(1, 0, 2**31 - 1)[0]
    first = module.method("forward_seeded", x, seed)
    again = module.method("forward_seeded", x, seed)
    other = module.method("forward_seeded", x, seed + 1)
    assert isinstance(first, torch.Tensor), f"forward returned {type(first).__name__}, expected a tensor"
    assert torch.equal(first, again), (
        "the same generator seed gave two different masks: draw the mask from `generator` "
        "(torch.rand(x.shape, generator=generator, device=x.device)), not from the global RNG"
    )
    assert not torch.equal(first, other), "two different seeds gave the same mask: the mask must be random"


def test_p_zero(sub, case):
    module = build(sub, 0.0)
    x = case.exact(case.randn(6, 20))
    got = seeded(module, case, x)
    assert torch.equal(got, x), (
        f"p = 0 in training mode must return x unchanged ({int((got != x).sum())} elements differ)"
    )


def test_p_one(sub, case):
    module = build(sub, 1.0)
    x = case.exact(case.randn(5, 30))
    out = module.method("forward_seeded", x, case.ints(1, 0, 1000)[0])
    assert isinstance(out, torch.Tensor), f"forward returned {type(out).__name__}, expected a tensor"
    got = out.to(torch.float64)
    if torch.isnan(got).any():
        raise AssertionError("p = 1 gave nan: 0 / (1 - p) = 0 / 0; return zeros when p = 1")
    assert tuple(got.shape) == tuple(x.shape), f"output shape {tuple(got.shape)}, expected {tuple(x.shape)}"
    assert (got == 0).all(), f"p = 1 must drop everything: {int((got != 0).sum())} of {x.numel()} elements survive"


def test_any_shape(sub, case):
    module = build(sub, 0.2)
    for shape in ((7,), (2, 3, 4, 5), (1, 1)):
        x = positive(case, *shape)
        got = seeded(module, case, x)
        kept = got != 0
        close(got[kept], x[kept] / 0.8, case, what=f"kept elements of a {shape} input (x / (1 - p))")


def test_gradients(sub, case):
    p = 0.3
    module = build(sub, p)
    x = positive(case, 12, 25)
    grad_out = case.exact(case.randn(12, 25))
    seed = case.ints(1, 0, 2**31 - 1)[0]
    out, grads = module.backward("forward_seeded", x, seed, grad_out=grad_out, wrt=(0,))
    kept = (out.to(torch.float64) != 0).to(torch.float64)
    assert grads["inputs"][0] is not None, "no gradient reached x"
    close(
        grads["inputs"][0],
        grad_out * kept / (1 - p),
        case,
        what="gradient of x (grad_out * keep / (1 - p), with the mask of this call)",
        suspects={"the gradient is not rescaled: d out / d x = keep / (1 - p)": grad_out * kept},
    )
