"""Hidden checks for `layernorm`. The reference runs in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close

EPS = 1e-5


def reference(x, shape, weight=None, bias=None, *, eps=EPS, unbiased=False, eps_outside=False, dims=None):
    """Float64 layer norm; the keyword arguments produce the classic mistakes, used as hints."""
    dims = dims if dims is not None else tuple(range(-len(shape), 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, keepdim=True, unbiased=unbiased)
    out = (x - mean) / (var.sqrt() + eps) if eps_outside else (x - mean) / (var + eps).sqrt()
    return out if weight is None else out * weight + bias


def suspects(x, shape, weight=None, bias=None):
    found = {
        "the variance is unbiased (n - 1); LayerNorm divides by n (unbiased=False / correction=0)": reference(
            x, shape, weight, bias, unbiased=True
        ),
        "eps is added outside the square root: use sqrt(var + eps)": reference(
            x, shape, weight, bias, eps_outside=True
        ),
        "eps looks missing: divide by sqrt(var + eps)": reference(x, shape, weight, bias, eps=0.0),
    }
    if weight is not None:
        found["weight and bias are not applied: out * weight + bias"] = reference(x, shape)
    if len(shape) > 1:
        found["only the last dim is normalised: reduce over all of normalized_shape's dims"] = reference(
            x, shape, weight, bias, dims=(-1,)
        )
    return found


def build(sub, case, shape, affine=True):
    module = sub.new("LayerNorm", shape, elementwise_affine=affine) if not affine else sub.new("LayerNorm", shape)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    expected = {"weight": list(shape), "bias": list(shape)} if affine else {}
    assert module.param_shapes == expected, f"parameters {module.param_shapes}, expected exactly {expected}"
    if not affine:
        return module, None, None
    params = {"weight": case.exact(case.randn(*shape, scale=0.5, offset=1.0)), "bias": case.exact(case.randn(*shape))}
    module.load(params)
    return module, params["weight"], params["bias"]


def run(sub, case, x_shape, shape, *, scale=1.0, offset=0.0, loose=1.0):
    module, weight, bias = build(sub, case, shape)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    x = case.exact(case.randn(*x_shape, scale=scale, offset=offset))
    close(
        module(x),
        reference(x, shape, weight, bias),
        case,
        suspects=suspects(x, shape, weight, bias),
        rtol=case.rtol * loose,
        atol=case.atol * loose,
    )


def test_parameters(sub, case):
    build(sub, case, 8)


def test_default_init(sub, case):
    module = sub.new("LayerNorm", 6)
    for name, value in (("weight", 1.0), ("bias", 0.0)):
        got = module.get(name)
        assert isinstance(got, torch.Tensor), f"{name} is {type(got).__name__}, expected a tensor"
        assert torch.equal(got.double(), torch.full((6,), value, dtype=torch.float64)), (
            f"{name} starts as {got.tolist()}, expected all {value}"
        )
    x = case.exact(case.randn(3, 6, offset=2.0))
    close(module(x), reference(x, (6,)), case, suspects=suspects(x, (6,)))


def test_normalizes_last_dim(sub, case):
    run(sub, case, (2, 5, 16), 16, offset=0.5)


def test_leading_dims(sub, case):
    run(sub, case, (7, 10), 10)
    run(sub, case, (2, 3, 4, 12), 12)


def test_tuple_normalized_shape(sub, case):
    run(sub, case, (2, 3, 4, 6), (4, 6))


def test_no_affine(sub, case):
    module, _, _ = build(sub, case, 12, affine=False)
    x = case.exact(case.randn(4, 12, scale=3.0, offset=-1.0))
    close(module(x), reference(x, (12,)), case, suspects=suspects(x, (12,)))


def test_small_variance(sub, case):
    # variance ~1e-5 is the size of eps: where eps goes now matters
    run(sub, case, (4, 16), 16, scale=3e-3)


def test_constant_rows(sub, case):
    module, weight, bias = build(sub, case, 8)
    # multiples of 1/4: the row mean is exact in any dtype, so x - mean is exactly 0
    x = (case.randint(-12, 13, (5, 1)) / 4).double() * torch.ones(5, 8, dtype=torch.float64)
    close(module(x), reference(x, (8,), weight, bias), case, suspects=suspects(x, (8,), weight, bias))


def test_large_offset(sub, case):
    # values near 1000 (near 30 in 16-bit dtypes, whose steps there are already 1/8): the rounding of x itself
    # allows a looser tolerance, while a one-pass variance mean(x^2) - mean^2 is far off
    offset = 1000.0 if case.dtype == torch.float32 else 30.0
    run(sub, case, (4, 64), 64, offset=offset, loose=20.0)


def test_gradients(sub, case):
    module, weight, bias = build(sub, case, 10)
    x = case.exact(case.randn(3, 4, 10))
    grad_out = case.exact(case.randn(3, 4, 10))
    out, grads = module.backward("__call__", x, grad_out=grad_out, wrt=(0,))
    leaves = {
        "x": x.clone().requires_grad_(True),
        "weight": weight.clone().requires_grad_(True),
        "bias": bias.clone().requires_grad_(True),
    }
    expected = reference(leaves["x"], (10,), leaves["weight"], leaves["bias"])
    expected.backward(grad_out)
    close(out, expected.detach(), case)
    tol = {"rtol": case.rtol * 10, "atol": case.atol * 10}
    close(grads["inputs"][0], leaves["x"].grad, case, what="gradient of x", **tol)
    for name in ("weight", "bias"):
        assert name in grads["params"], f"no gradient reached {name}"
        close(grads["params"][name], leaves[name].grad, case, what=f"gradient of {name}", **tol)
