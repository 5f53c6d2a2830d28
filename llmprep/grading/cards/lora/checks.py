"""Hidden checks for `lora`. The reference runs in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close

IN, OUT, R, ALPHA = 12, 10, 4, 16.0


def shapes(n_in, n_out, r):
    return {"base.weight": [n_out, n_in], "base.bias": [n_out], "lora_A": [r, n_in], "lora_B": [n_out, r]}


def reference(p, x, scaling):
    return x @ p["base.weight"].T + p["base.bias"] + (x @ p["lora_A"].T @ p["lora_B"].T) * scaling


def suspects(p, x, r, alpha):
    found = {"the LoRA branch is missing from the output": reference(p, x, 0.0)}
    for scale, hint in (
        (alpha, "the LoRA branch is scaled by alpha; the scaling is alpha / r"),
        (r / alpha, "the LoRA branch is scaled by r / alpha; the scaling is alpha / r"),
        (1.0, "the LoRA branch is not scaled: multiply it by alpha / r"),
        (2 * alpha / r, "the LoRA branch is added twice: after merge() the forward must skip it"),
    ):
        if abs(scale - alpha / r) > 1e-9:
            found[hint] = reference(p, x, scale)
    return found


def build(sub, n_in=IN, n_out=OUT, r=R, alpha=ALPHA):
    module = sub.new("LoRALinear", n_in, n_out, r, alpha)
    expected = shapes(n_in, n_out, r)
    assert module.param_shapes == expected, f"parameters {module.param_shapes}, expected exactly {expected}"
    return module


def loaded(sub, case, n_in=IN, n_out=OUT, r=R, alpha=ALPHA):
    module = build(sub, n_in, n_out, r, alpha)
    params = case.params_for(shapes(n_in, n_out, r))  # lora_B non-zero: a "trained" adapter
    module.load(params)
    return module, params


def check_forward(module, p, case, lead=(4,), n_in=IN, r=R, alpha=ALPHA, what="output", hints=None):
    x = case.exact(case.randn(*lead, n_in))
    found = suspects(p, x, r, alpha) if hints is None else {h: reference(p, x, s) for h, s in hints.items()}
    close(module(x), reference(p, x, alpha / r), case, what=what, suspects=found)
    return x


def base_weight(module):
    return module.method("state_dict")["base.weight"]


def test_parameters(sub, case):
    build(sub)


def test_lora_B_starts_at_zero(sub, case):
    b = build(sub).get("lora_B")
    assert isinstance(b, torch.Tensor), f"lora_B is a {type(b).__name__}, expected a tensor"
    assert torch.count_nonzero(b) == 0, f"lora_B has {int(torch.count_nonzero(b))} non-zero entries at init"


def test_lora_A_starts_random(sub, case):
    a = build(sub).get("lora_A")
    assert isinstance(a, torch.Tensor), f"lora_A is a {type(a).__name__}, expected a tensor"
    assert torch.isfinite(a).all(), "lora_A holds non-finite values at init"
    nonzero = int(torch.count_nonzero(a))
    assert nonzero >= a.numel() // 2, f"lora_A has only {nonzero} of {a.numel()} non-zero entries at init"
    assert a.unique().numel() > a.numel() // 2, "lora_A looks constant at init; initialise it randomly"
    assert a.abs().max() < 10, f"lora_A has entries up to {a.abs().max().item():.3g} at init; use a small init"


def test_initial_output_is_base(sub, case):
    module = build(sub)
    base = case.params_for({"base.weight": [OUT, IN], "base.bias": [OUT]})
    module.load(base)  # lora_A and lora_B keep their own initialisation
    x = case.exact(case.randn(5, IN))
    close(module(x), x @ base["base.weight"].T + base["base.bias"], case)


def test_forward(sub, case):
    module, p = loaded(sub, case)
    check_forward(module, p, case)


def test_scaling_is_alpha_over_r(sub, case):
    module, p = loaded(sub, case, n_in=6, n_out=9, r=8, alpha=2.0)
    check_forward(module, p, case, n_in=6, r=8, alpha=2.0)


def test_batched_sequences(sub, case):
    module, p = loaded(sub, case)
    check_forward(module, p, case, lead=(2, 3))


def test_only_lora_is_trainable(sub, case):
    module, p = loaded(sub, case)
    x = case.exact(case.randn(2, 3, IN))
    grad_out = case.exact(case.randn(2, 3, OUT))
    out, grads = module.backward("__call__", x, grad_out=grad_out, wrt=(0,))
    frozen = sorted(n for n in grads["params"] if n.startswith("base."))
    assert not frozen, f"{', '.join(frozen)} received gradients: the base layer must be frozen (requires_grad=False)"
    p64 = {n: t.clone().requires_grad_(n.startswith("lora_")) for n, t in p.items()}
    x64 = x.clone().requires_grad_(True)
    expected = reference(p64, x64, ALPHA / R)
    expected.backward(grad_out)
    close(out, expected.detach(), case, suspects=suspects(p, x, R, ALPHA))
    tol = {"rtol": case.rtol * 10, "atol": case.atol * 10}
    close(grads["inputs"][0], x64.grad, case, what="gradient of x", **tol)
    for name in ("lora_A", "lora_B"):
        assert name in grads["params"], f"no gradient reached {name}"
        close(grads["params"][name], p64[name].grad, case, what=f"gradient of {name}", **tol)


def test_merge(sub, case):
    module, p = loaded(sub, case)
    assert module.method("merge") is None, "merge() should return None and change the module in place"
    merged = p["base.weight"] + (p["lora_B"] @ p["lora_A"]) * (ALPHA / R)
    close(
        base_weight(module),
        merged,
        case,
        what="base.weight after merge()",
        suspects={"merge() did not fold the update into base.weight": p["base.weight"]},
    )
    check_forward(module, p, case, what="output after merge()")


def test_unmerge(sub, case):
    module, p = loaded(sub, case)
    module.method("merge")
    assert module.method("unmerge") is None, "unmerge() should return None and change the module in place"
    close(base_weight(module), p["base.weight"], case, what="base.weight after merge() then unmerge()")
    check_forward(module, p, case, what="output after merge() then unmerge()")


def test_merge_is_idempotent(sub, case):
    module, p = loaded(sub, case)
    module.method("unmerge")  # not merged yet: nothing to undo
    check_forward(
        module,
        p,
        case,
        what="output after unmerge() on an unmerged layer",
        hints={"unmerge() on a layer that was never merged subtracted the update from base.weight": 0.0},
    )
    module.method("merge")
    module.method("merge")
    close(
        base_weight(module),
        p["base.weight"] + (p["lora_B"] @ p["lora_A"]) * (ALPHA / R),
        case,
        what="base.weight after merge() twice",
    )
    check_forward(
        module,
        p,
        case,
        what="output after merge() twice",
        hints={"the second merge() added the update to base.weight again": 2 * ALPHA / R},
    )
    module.method("unmerge")
    module.method("unmerge")
    close(base_weight(module), p["base.weight"], case, what="base.weight after unmerge() twice")
    check_forward(module, p, case, what="output after unmerge() twice")
