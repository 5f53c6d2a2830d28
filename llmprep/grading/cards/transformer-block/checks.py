"""Hidden checks for `transformer-block`. The reference runs in float64 here, in the judge."""

import math

import pytest
import torch

from llmprep.grading.harness import close

EPS = 1e-6


def shapes(d, f):
    return {
        "attention_norm.weight": [d],
        "attention.wq.weight": [d, d],
        "attention.wk.weight": [d, d],
        "attention.wv.weight": [d, d],
        "attention.wo.weight": [d, d],
        "ffn_norm.weight": [d],
        "feed_forward.w1.weight": [f, d],
        "feed_forward.w2.weight": [d, f],
        "feed_forward.w3.weight": [f, d],
    }


def rms(x, w, eps, kind="rms"):
    if kind == "layer":
        x = x - x.mean(-1, keepdim=True)
    return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def attention(p, x, h, *, causal=True, scale=None):
    b, length, d = x.shape
    dh = d // h

    def heads(t):
        return t.reshape(b, length, h, dh).transpose(1, 2)

    q, k, v = (heads(x @ p[f"attention.{n}.weight"].T) for n in ("wq", "wk", "wv"))
    s = q @ k.transpose(-2, -1) / (math.sqrt(dh) if scale is None else scale)
    if causal:
        s = s.masked_fill(torch.ones(length, length, dtype=torch.bool).triu(1), float("-inf"))
    ctx = torch.softmax(s, dim=-1) @ v
    return ctx.transpose(1, 2).reshape(b, length, d) @ p["attention.wo.weight"].T


def ffn(p, x, swap=False):
    w1, w3 = p["feed_forward.w1.weight"], p["feed_forward.w3.weight"]
    if swap:
        w1, w3 = w3, w1
    return (torch.nn.functional.silu(x @ w1.T) * (x @ w3.T)) @ p["feed_forward.w2.weight"].T


def reference(p, x, h, eps=EPS, *, norm="rms", post_norm=False, causal=True, scale=None, swap=False, residual="x"):
    """Float64 LLaMA block; the keyword arguments produce the classic mistakes, used as hints."""
    if post_norm:
        h1 = rms(x + attention(p, x, h, causal=causal, scale=scale), p["attention_norm.weight"], eps, norm)
        return rms(h1 + ffn(p, h1, swap), p["ffn_norm.weight"], eps, norm)
    a_in = rms(x, p["attention_norm.weight"], eps, norm)
    h1 = (a_in if residual == "normed" else x) + attention(p, a_in, h, causal=causal, scale=scale)
    f_in = rms(h1, p["ffn_norm.weight"], eps, norm)
    return (f_in if residual == "normed" else h1) + ffn(p, f_in, swap)


def suspects(p, x, h, eps=EPS):
    d = x.shape[-1]
    found = {
        "post-norm: LLaMA normalises the INPUT of each sublayer, h = x + attention(attention_norm(x))": reference(
            p, x, h, eps, post_norm=True
        ),
        "the residual adds the normalised input; add the raw x (and h): the residual stream is never normalised": (
            reference(p, x, h, eps, residual="normed")
        ),
        "that is LayerNorm (mean subtracted); RMSNorm only divides by sqrt(mean(x^2) + eps)": reference(
            p, x, h, eps, norm="layer"
        ),
        "w1 and w3 are swapped: silu goes on w1 (the gate), w3 is the linear up projection": reference(
            p, x, h, eps, swap=True
        ),
        "the scores are not scaled: divide q k^T by sqrt(d_head)": reference(p, x, h, eps, scale=1.0),
        "the scores are scaled by sqrt(d_model); use sqrt(d_head) = sqrt(d_model / n_heads)": reference(
            p, x, h, eps, scale=math.sqrt(d)
        ),
    }
    if x.shape[1] > 1:
        found["the attention is not causal: mask keys j > i with -inf"] = reference(p, x, h, eps, causal=False)
    return found


def build(sub, case, d, h, f, eps=None):
    module = sub.new("TransformerBlock", d, h, f) if eps is None else sub.new("TransformerBlock", d, h, f, eps=eps)
    expected = shapes(d, f)
    got = module.param_shapes
    missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
    assert got == expected, (
        (f"missing parameters {missing}; " if missing else "")
        + (f"unexpected parameters {extra}; " if extra else "")
        + f"parameters {got}, expected exactly {expected}"
    )
    params = case.params_for(expected)
    for name in ("attention_norm.weight", "ffn_norm.weight"):  # around 1, as after training
        params[name] = case.exact(case.randn(d, scale=0.3, offset=1.0))
    module.load(params)
    return module, params


def run(sub, case, *, b=2, length=6, d=32, h=4, f=48, eps=None, scale=1.0):
    module, p = build(sub, case, d, h, f, eps)
    x = case.exact(case.randn(b, length, d, scale=scale))
    e = EPS if eps is None else eps
    close(module(x), reference(p, x, h, e), case, suspects=suspects(p, x, h, e))
    return module, p


def test_parameters(sub, case):
    build(sub, case, 16, 2, 24)


def test_forward(sub, case):
    run(sub, case)


def test_causal(sub, case):
    module, p = build(sub, case, 32, 4, 48)
    x = case.exact(case.randn(2, 7, 32))
    changed = x.clone()
    changed[:, 4:] = case.exact(case.randn(2, 3, 32))  # change the future of positions 0..3
    before, after = module(x), module(changed)
    close(
        after[:, :4],
        before[:, :4].double(),
        case,
        what="outputs at positions 0..3 after changing tokens 4..6 (must not change)",
        suspects={
            "the attention is not causal: mask keys j > i with -inf": reference(p, changed, 4, causal=False)[:, :4]
        },
    )
    close(after, reference(p, changed, 4), case, suspects=suspects(p, changed, 4))


@pytest.mark.parametrize("heads", [1, 8])
def test_head_counts(sub, case, heads):
    run(sub, case, d=32, h=heads, length=5)


def test_single_token(sub, case):
    run(sub, case, b=3, length=1)


def test_custom_eps(sub, case):
    # inputs with mean(x^2) ~ 1e-6: the value and place of eps matter
    run(sub, case, eps=1e-5, scale=1e-3, d=16, h=2, f=24)


def test_gradients(sub, case):
    module, p = build(sub, case, 16, 2, 24)
    x = case.exact(case.randn(2, 5, 16))
    grad_out = case.exact(case.randn(2, 5, 16))
    out, grads = module.backward("__call__", x, grad_out=grad_out, wrt=(0,))
    leaves = {n: t.clone().requires_grad_(True) for n, t in p.items()}
    xl = x.clone().requires_grad_(True)
    expected = reference(leaves, xl, 2)
    expected.backward(grad_out)
    close(out, expected.detach(), case)
    tol = {"rtol": case.rtol * 10, "atol": case.atol * 10}
    close(grads["inputs"][0], xl.grad, case, what="gradient of x", **tol)
    for name, leaf in leaves.items():
        assert name in grads["params"], f"no gradient reached {name}"
        close(grads["params"][name], leaf.grad, case, what=f"gradient of {name}", **tol)
