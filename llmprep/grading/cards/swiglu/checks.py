"""Hidden checks for `swiglu`. The reference runs in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close


def shapes(d_model, hidden):
    return {"w1.weight": [hidden, d_model], "w2.weight": [d_model, hidden], "w3.weight": [hidden, d_model]}


def silu(z):
    return z * torch.sigmoid(z)


def reference(p, x, *, act=silu, swap=False, act_on_product=False):
    gate, up = x @ p["w1.weight"].T, x @ p["w3.weight"].T
    if swap:
        gate, up = up, gate
    inner = act(gate * up) if act_on_product else act(gate) * up
    return inner @ p["w2.weight"].T


def suspects(p, x):
    return {
        "gate and up are swapped: the SiLU goes on w1(x), and w3(x) multiplies it linearly": reference(p, x, swap=True),
        "the activation is ReLU; SwiGLU uses SiLU (z * sigmoid(z))": reference(p, x, act=torch.relu),
        "the activation is a plain sigmoid (GLU); SwiGLU uses SiLU = z * sigmoid(z)": reference(
            p, x, act=torch.sigmoid
        ),
        "the activation is GELU; SwiGLU uses SiLU (z * sigmoid(z))": reference(p, x, act=torch.nn.functional.gelu),
        "the SiLU is applied to the product; apply it to the gate w1(x) only": reference(p, x, act_on_product=True),
    }


def build(sub, case, d_model, hidden):
    module = sub.new("SwiGLUFFN", d_model, hidden)
    expected = shapes(d_model, hidden)
    assert module.param_shapes == expected, f"parameters {module.param_shapes}, expected exactly {expected}"
    params = case.params_for(expected)
    module.load(params)
    return module, params


def run(sub, case, *, d_model=16, hidden=40, lead=(3,), params=None):
    module, p = build(sub, case, d_model, hidden)
    if params is not None:
        p = params(p)
        module.load(p)
    x = case.exact(case.randn(*lead, d_model))
    close(module(x), reference(p, x), case, suspects=suspects(p, x))


def test_parameters(sub, case):
    build(sub, case, 8, 24)


def test_forward(sub, case):
    run(sub, case)


def test_gate_and_up_not_swapped(sub, case):
    # a gate that is strongly negative for some units: silu(gate) * up differs clearly from gate * silu(up)
    def skewed(p):
        p = dict(p)
        p["w1.weight"] = case.exact(p["w1.weight"] * 3.0)
        return p

    run(sub, case, d_model=8, hidden=16, lead=(5,), params=skewed)


def test_batched_sequences(sub, case):
    run(sub, case, d_model=12, hidden=32, lead=(2, 5))


def test_hidden_smaller_than_model(sub, case):
    run(sub, case, d_model=24, hidden=6, lead=(2, 3))


def test_gradients(sub, case):
    module, p = build(sub, case, 8, 20)
    x = case.exact(case.randn(2, 3, 8))
    grad_out = case.exact(case.randn(2, 3, 8))
    out, grads = module.backward("__call__", x, grad_out=grad_out, wrt=(0,))
    p64 = {n: t.clone().requires_grad_(True) for n, t in p.items()}
    x64 = x.clone().requires_grad_(True)
    expected = reference(p64, x64)
    expected.backward(grad_out)
    close(out, expected.detach(), case)
    tol = {"rtol": case.rtol * 10, "atol": case.atol * 10}
    close(grads["inputs"][0], x64.grad, case, what="gradient of x", **tol)
    for name in p64:
        assert name in grads["params"], f"no gradient reached {name}"
        close(grads["params"][name], p64[name].grad, case, what=f"gradient of {name}", **tol)
