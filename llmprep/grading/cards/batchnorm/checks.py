"""Hidden checks for `batchnorm`. The reference runs in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close
from llmprep.grading.judge import SubmissionFailure

EPS = 1e-5
MOMENTUM = 0.1


class Reference:
    """Float64 BatchNorm1d state; the keyword arguments produce the classic mistakes, used as hints."""

    def __init__(self, weight, bias):
        self.weight, self.bias = weight, bias
        self.running_mean = torch.zeros_like(weight)
        self.running_var = torch.ones_like(weight)

    def forward(
        self, x, training=True, *, norm_unbiased=False, running_unbiased=True, dims=None, momentum=MOMENTUM, count=None
    ):
        dims = dims if dims is not None else ((0,) if x.dim() == 2 else (0, 2))
        shape = (1, -1) if x.dim() == 2 else (1, -1, 1)
        if training:
            mean = x.mean(dim=dims, keepdim=True)
            var = x.var(dim=dims, keepdim=True, unbiased=norm_unbiased)
            flat_mean = x.mean(dim=(0,) if x.dim() == 2 else (0, 2))
            flat_var = x.var(dim=(0,) if x.dim() == 2 else (0, 2), unbiased=False)
            n = x.numel() // x.shape[1] if count is None else count
            if running_unbiased:
                flat_var = flat_var * n / (n - 1)
            self.running_mean = (1 - momentum) * self.running_mean + momentum * flat_mean.detach()
            self.running_var = (1 - momentum) * self.running_var + momentum * flat_var.detach()
        else:
            mean, var = self.running_mean.view(shape), self.running_var.view(shape)
        return (x - mean) / (var + EPS).sqrt() * self.weight.view(shape) + self.bias.view(shape)


def output_suspects(x, weight, bias):
    def wrong(**kw):
        return Reference(weight, bias).forward(x, **kw)

    found = {
        "the variance used to normalise is unbiased (n - 1): normalise with the biased one (divide by n)": wrong(
            norm_unbiased=True
        ),
        "weight and bias are not applied: x_hat * weight + bias": Reference(
            torch.ones_like(weight), torch.zeros_like(bias)
        ).forward(x),
    }
    if x.dim() == 3:
        found["statistics are taken over N only: for (N, C, L) reduce over dims (0, 2)"] = wrong(dims=(0,))
    return found


def buffer_suspects(ref_factory, xs, name):
    """Running statistics after the steps `xs` under common mistakes."""
    variants = {
        "momentum is applied the wrong way round: new = (1 - momentum) * old + momentum * batch_stat": {
            "momentum": 1 - MOMENTUM
        },
        "running_var got the biased variance: it takes the unbiased one (n - 1), normalising the biased one": {
            "running_unbiased": False
        },
    }
    if xs[0].dim() == 3:
        hint = "the unbiased correction n / (n - 1) counts only N: for (N, C, L) inputs n = N * L values per channel"
        variants[hint] = {"count": xs[0].shape[0]}
    found = {}
    for hint, kw in variants.items():
        ref = ref_factory()
        for x in xs:
            ref.forward(x, **kw)
        found[hint] = getattr(ref, name)
    return found


def set_mode(module, mode):
    """module.train() / module.eval() in the worker; they return the module itself, which cannot come back."""
    try:
        module.method(mode)
    except SubmissionFailure as exc:
        if "which llmprep cannot check" not in exc.message:
            raise


def build(sub, case, c):
    module = sub.new("BatchNorm1d", c)
    expected = {"weight": [c], "bias": [c]}
    assert module.param_shapes == expected, f"parameters {module.param_shapes}, expected exactly {expected}"
    params = {"weight": case.exact(case.randn(c, scale=0.5, offset=1.0)), "bias": case.exact(case.randn(c))}
    module.load(params)
    return module, Reference(params["weight"], params["bias"])


def batch(case, *shape, scale=2.0, offset=0.5):
    """Channels with their own offsets and scales, as real activations have."""
    c = shape[1]
    view = (1, c) if len(shape) == 2 else (1, c, 1)
    spread = case.rand(c).view(view) * scale + 1.0
    shift = case.randn(c).view(view) + offset
    return case.exact(case.randn(*shape) * spread + shift)


def get_buffer(module, name):
    got = module.get(name)
    assert isinstance(got, torch.Tensor), f"{name} is {type(got).__name__}, expected a tensor (register_buffer)"
    return got


def test_parameters(sub, case):
    build(sub, case, 6)


def test_initial_buffers(sub, case):
    module = sub.new("BatchNorm1d", 5)
    close(get_buffer(module, "running_mean"), torch.zeros(5, dtype=torch.float64), case, what="initial running_mean")
    close(get_buffer(module, "running_var"), torch.ones(5, dtype=torch.float64), case, what="initial running_var")


def test_train_2d(sub, case):
    module, ref = build(sub, case, 5)
    x = batch(case, 6, 5)
    close(module(x), ref.forward(x), case, suspects=output_suspects(x, ref.weight, ref.bias))


def test_train_3d(sub, case):
    module, ref = build(sub, case, 3)
    x = batch(case, 4, 3, 7)
    close(module(x), ref.forward(x), case, suspects=output_suspects(x, ref.weight, ref.bias))


def test_running_mean_update(sub, case):
    module, ref = build(sub, case, 4)
    x = batch(case, 5, 4, offset=2.0)
    module(x)
    ref.forward(x)
    suspects = buffer_suspects(lambda: Reference(ref.weight, ref.bias), [x], "running_mean")
    suspects["running_mean was not updated in training mode"] = torch.zeros(4, dtype=torch.float64)
    close(get_buffer(module, "running_mean"), ref.running_mean, case, what="running_mean", suspects=suspects)


def test_running_var_update(sub, case):
    module, ref = build(sub, case, 4)
    x = batch(case, 4, 4, scale=3.0)
    module(x)
    ref.forward(x)
    suspects = buffer_suspects(lambda: Reference(ref.weight, ref.bias), [x], "running_var")
    suspects["running_var was not updated in training mode"] = torch.ones(4, dtype=torch.float64)
    close(get_buffer(module, "running_var"), ref.running_var, case, what="running_var", suspects=suspects)


def test_running_stats_over_steps(sub, case):
    module, ref = build(sub, case, 3)
    xs = [batch(case, 3, 3, 5, offset=0.5 * step) for step in range(3)]
    for x in xs:
        close(module(x), ref.forward(x), case)
    for name in ("running_mean", "running_var"):
        suspects = buffer_suspects(lambda: Reference(ref.weight, ref.bias), xs, name)
        close(get_buffer(module, name), getattr(ref, name), case, what=f"{name} after 3 steps", suspects=suspects)


def test_eval_uses_running_stats(sub, case):
    module, ref = build(sub, case, 4)
    for _ in range(2):
        x = batch(case, 6, 4, offset=1.5)
        module(x)
        ref.forward(x)
    set_mode(module, "eval")
    stale = "eval mode still normalises with the batch statistics: use the running ones"
    for x in (batch(case, 5, 4), batch(case, 1, 4)):  # a batch of one works in eval mode
        suspects = {stale: Reference(ref.weight, ref.bias).forward(x)} if x.shape[0] > 1 else None
        close(module(x), ref.forward(x, training=False), case, what="eval output", suspects=suspects)
    set_mode(module, "train")
    x = batch(case, 6, 4)
    close(module(x), ref.forward(x), case, what="output after switching back to train mode")


def test_eval_does_not_update(sub, case):
    module, ref = build(sub, case, 4)
    x = batch(case, 6, 4)
    module(x)
    ref.forward(x)
    set_mode(module, "eval")
    module(batch(case, 6, 4, offset=5.0))
    for name in ("running_mean", "running_var"):
        close(get_buffer(module, name), getattr(ref, name), case, what=f"{name} after an eval-mode forward")


def test_gradients(sub, case):
    module, ref = build(sub, case, 4)
    x = batch(case, 5, 4, 3)
    grad_out = case.exact(case.randn(5, 4, 3))
    out, grads = module.backward("__call__", x, grad_out=grad_out, wrt=(0,))
    leaves = {
        "x": x.clone().requires_grad_(True),
        "weight": ref.weight.clone().requires_grad_(True),
        "bias": ref.bias.clone().requires_grad_(True),
    }
    expected = Reference(leaves["weight"], leaves["bias"]).forward(leaves["x"])
    expected.backward(grad_out)
    close(out, expected.detach(), case)
    tol = {"rtol": case.rtol * 10, "atol": case.atol * 10}
    close(grads["inputs"][0], leaves["x"].grad, case, what="gradient of x", **tol)
    for name in ("weight", "bias"):
        assert name in grads["params"], f"no gradient reached {name}"
        close(grads["params"][name], leaves[name].grad, case, what=f"gradient of {name}", **tol)
