"""Hidden checks for `rmsnorm`. The reference runs in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close

EPS = 1e-6


def reference(x, weight=None, *, eps=EPS, center=False, eps_outside=False, reduce="mean"):
    """Float64 RMSNorm; the keyword arguments produce the classic mistakes, used as hints."""
    if center:
        x = x - x.mean(dim=-1, keepdim=True)
    if reduce == "std":
        ms = x.var(dim=-1, keepdim=True)
    else:
        ms = x.pow(2).mean(dim=-1, keepdim=True) if reduce == "mean" else x.pow(2).sum(dim=-1, keepdim=True)
    out = x / (ms.sqrt() + eps) if eps_outside else x / (ms + eps).sqrt()
    return out if weight is None else out * weight


def suspects(x, weight=None):
    return {
        "the mean is subtracted: RMSNorm does not centre (that is LayerNorm)": reference(x, weight, center=True),
        "eps is added outside the square root: use sqrt(mean(x^2) + eps)": reference(x, weight, eps_outside=True),
        "eps looks missing: divide by sqrt(mean(x^2) + eps)": reference(x, weight, eps=0.0),
        "x is divided by its L2 norm: use the root MEAN square (divide the sum by dim)": reference(
            x, weight, reduce="sum"
        ),
        "x is divided by its standard deviation: use the root mean square, no centring": reference(
            x, weight, reduce="std"
        ),
        "weight is not applied: multiply the normalised x by self.weight": reference(x),
    }


def build(sub, case, dim):
    module = sub.new("RMSNorm", dim)
    expected = {"weight": [dim]}
    assert module.param_shapes == expected, f"parameters {module.param_shapes}, expected exactly {expected}"
    weight = case.exact(case.randn(dim, scale=0.5, offset=1.0))
    module.load({"weight": weight})
    return module, weight


def run(sub, case, x_shape, *, scale=1.0, offset=0.0):
    module, weight = build(sub, case, x_shape[-1])
    x = case.exact(case.randn(*x_shape, scale=scale, offset=offset))
    close(module(x), reference(x, weight), case, suspects=suspects(x, weight))


def test_parameters(sub, case):
    build(sub, case, 8)


def test_default_init(sub, case):
    module = sub.new("RMSNorm", 6)
    got = module.get("weight")
    assert isinstance(got, torch.Tensor), f"weight is {type(got).__name__}, expected a tensor"
    assert torch.equal(got.double(), torch.ones(6, dtype=torch.float64)), (
        f"weight starts as {got.tolist()}, expected all ones"
    )
    x = case.exact(case.randn(3, 6))
    close(module(x), reference(x), case, suspects=suspects(x))


def test_normalizes_last_dim(sub, case):
    run(sub, case, (2, 5, 16), scale=2.0)


def test_leading_dims(sub, case):
    run(sub, case, (7, 10))
    run(sub, case, (2, 3, 4, 12))


def test_nonzero_mean_inputs(sub, case):
    run(sub, case, (4, 16), offset=3.0)


def test_tiny_inputs(sub, case):
    # mean(x^2) ~ 1e-6 is the size of eps: where eps goes now matters
    run(sub, case, (4, 16), scale=1e-3)


def test_zero_rows(sub, case):
    module, weight = build(sub, case, 8)
    x = case.exact(case.randn(4, 8))
    x[1] = 0.0
    close(module(x), reference(x, weight), case, suspects=suspects(x, weight))


def test_gradients(sub, case):
    module, weight = build(sub, case, 10)
    x = case.exact(case.randn(3, 4, 10, offset=0.3))
    grad_out = case.exact(case.randn(3, 4, 10))
    out, grads = module.backward("__call__", x, grad_out=grad_out, wrt=(0,))
    x64, w64 = x.clone().requires_grad_(True), weight.clone().requires_grad_(True)
    expected = reference(x64, w64)
    expected.backward(grad_out)
    close(out, expected.detach(), case)
    tol = {"rtol": case.rtol * 10, "atol": case.atol * 10}
    close(grads["inputs"][0], x64.grad, case, what="gradient of x", **tol)
    assert "weight" in grads["params"], "no gradient reached weight"
    close(grads["params"]["weight"], w64.grad, case, what="gradient of weight", **tol)
