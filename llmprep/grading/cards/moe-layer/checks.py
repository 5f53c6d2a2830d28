"""Hidden checks for `moe-layer`. The reference runs in float64 here, in the judge.

"No Python loop over tokens" is checked by counting: the given Expert module counts its calls and the token
rows it processes (expert_stats). A forward may call each expert at most once (a loop over tokens calls them
T * k times) and must process exactly T * k rows (running every expert on every token processes T * E).
"""

import torch

from llmprep.grading.harness import close


def shapes(d, f, n):
    out = {"gate.weight": [n, d]}
    for e in range(n):
        out |= {f"experts.{e}.w1.weight": [f, d], f"experts.{e}.w2.weight": [d, f], f"experts.{e}.w3.weight": [f, d]}
    return out


def expert(p, e, x):
    w1, w2, w3 = (p[f"experts.{e}.{n}.weight"] for n in ("w1", "w2", "w3"))
    return (torch.nn.functional.silu(x @ w1.T) * (x @ w3.T)) @ w2.T


def reference(p, x, k, *, renorm=True, weighted=True, combine="sum", slot_weight=None):
    """Float64 MoE layer (a plain loop); the keyword arguments produce the classic mistakes, used as hints."""
    n = p["gate.weight"].shape[0]
    flat = x.reshape(-1, x.shape[-1])
    probs = torch.softmax(flat @ p["gate.weight"].T, dim=-1)
    top_p, chosen = probs.topk(k, dim=-1)
    weights = top_p / top_p.sum(-1, keepdim=True) if renorm else top_p
    outs = torch.stack([expert(p, e, flat) for e in range(n)], dim=1)  # (T, E, d): every expert, for the reference
    picked = outs.gather(1, chosen[..., None].expand(-1, -1, flat.shape[-1]))  # (T, k, d)
    if slot_weight is not None:
        weights = weights[:, slot_weight : slot_weight + 1].expand_as(weights)
    terms = picked * weights[..., None] if weighted else picked
    if combine == "sum":
        out = terms.sum(1)
    else:  # "last": index assignment, the last expert (in expert order) overwrites the others
        order = chosen.argsort(dim=-1)
        out = terms.gather(1, order[:, -1:, None].expand(-1, 1, flat.shape[-1]))[:, 0]
    return out.reshape(x.shape)


def suspects(p, x, k):
    found = {
        "the top-k probabilities are not renormalised: w_j = p[e_j] / sum of the k selected p": reference(
            p, x, k, renorm=False
        ),
        "the expert outputs are summed without their gate weights": reference(p, x, k, weighted=False),
    }
    if k > 1:
        found["a token's later expert overwrites the earlier one: ADD the weighted outputs (index_add)"] = reference(
            p, x, k, combine="last"
        )
        found["every expert of a token got the weight of slot 0: use the weight of the slot that chose it"] = reference(
            p, x, k, slot_weight=0
        )
    return found


def draw_x(case, p, k, *shape, positive=False):
    """Inputs whose k-th and (k+1)-th gate logits are apart: rounding cannot change which experts are chosen."""
    n = p["gate.weight"].shape[0]
    for _ in range(50):
        x = case.exact(case.rand(*shape) + 0.1 if positive else case.randn(*shape))
        if k == n:
            return x
        logits = (x.reshape(-1, shape[-1]) @ p["gate.weight"].T).sort(dim=-1, descending=True).values
        if (logits[:, k - 1] - logits[:, k]).min() > 1e-3:
            return x
    raise AssertionError("internal: could not draw inputs without near-ties in the gate")


def build(sub, case, d=16, f=24, n=4, k=2, gate_scale=None):
    module = sub.new("MoELayer", d, f, n, k)
    expected = shapes(d, f, n)
    got = module.param_shapes
    missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
    assert got == expected, (
        (f"missing parameters {missing}; " if missing else "")
        + (f"unexpected parameters {extra}; " if extra else "")
        + f"parameters {got}, expected exactly {expected}"
    )
    params = case.params_for(expected)
    if gate_scale is not None:
        params["gate.weight"] = case.exact(case.randn(n, d, scale=gate_scale))
    module.load(params)
    return module, params


def run(sub, case, *, b=2, length=5, d=16, f=24, n=4, k=2):
    module, p = build(sub, case, d, f, n, k, gate_scale=0.5)
    x = draw_x(case, p, k, b, length, d)
    close(module(x), reference(p, x, k), case, suspects=suspects(p, x, k))
    return module, p


def test_parameters(sub, case):
    build(sub, case, 8, 12, 3, 2)


def test_forward(sub, case):
    run(sub, case)


def test_top1(sub, case):
    run(sub, case, n=4, k=1)  # weight 1.0: the output is the chosen expert's output


def test_all_experts(sub, case):
    run(sub, case, n=3, k=3, length=4)  # every expert sees every token: a dense mixture


def test_unused_expert(sub, case):
    module, p = build(sub, case, 16, 24, 4, 2)
    p["gate.weight"][3] = -1.0  # with positive inputs expert 3 always has the lowest logit: it gets no token
    module.load({"gate.weight": p["gate.weight"]})
    x = draw_x(case, p, 2, 2, 6, 16, positive=True)
    close(module(x), reference(p, x, 2), case, suspects=suspects(p, x, 2))


def test_single_token(sub, case):
    run(sub, case, b=1, length=1)


def counted(sub, case, n, k):
    module, p = build(sub, case, 16, 24, n, k, gate_scale=0.5)
    x = draw_x(case, p, k, 4, 64, 16)  # 256 tokens
    sub.call("reset_expert_stats")
    out = module(x)
    stats = sub.call("expert_stats")
    assert isinstance(stats, dict) and {"calls", "rows"} <= set(stats), (
        "expert_stats() must return the given counters: keep Expert, expert_stats and reset_expert_stats as given"
    )
    close(out, reference(p, x, k), case, suspects=suspects(p, x, k))
    return stats, x.shape[0] * x.shape[1]


def test_one_call_per_expert(sub, case):
    n, k = 4, 2
    stats, tokens = counted(sub, case, n, k)
    assert stats["calls"] <= n, (
        f"the experts were called {stats['calls']} times in one forward over {tokens} tokens; at most {n} calls "
        "(one per expert) are allowed\nhint: loop over the experts, not the tokens: gather each expert's tokens "
        "(nonzero / index) and call it once on all of them"
    )


def test_only_routed_tokens(sub, case):
    n, k = 4, 2
    stats, tokens = counted(sub, case, n, k)
    if stats["rows"] > tokens * k:
        raise AssertionError(
            f"the experts processed {stats['rows']} token rows; T * k = {tokens * k} are needed\nhint: call each "
            "expert on the tokens routed to it only; running every expert on every token costs E / k times more"
        )
    if stats["rows"] < tokens * k:
        raise AssertionError(
            f"the experts processed only {stats['rows']} token rows through Expert.forward; T * k = {tokens * k} "
            "expected\nhint: call the experts as modules (self.experts[e](rows)), not their layers directly"
        )


def test_gradients(sub, case):
    module, p = build(sub, case, 8, 12, 3, 2, gate_scale=0.5)
    x = draw_x(case, p, 2, 2, 4, 8)
    grad_out = case.exact(case.randn(2, 4, 8))
    out, grads = module.backward("__call__", x, grad_out=grad_out, wrt=(0,))
    leaves = {n: t.clone().requires_grad_(True) for n, t in p.items()}
    xl = x.clone().requires_grad_(True)
    expected = reference(leaves, xl, 2)
    expected.backward(grad_out)
    close(out, expected.detach(), case)
    tol = {"rtol": case.rtol * 10, "atol": case.atol * 10}
    close(grads["inputs"][0], xl.grad, case, what="gradient of x", **tol)
    for name, leaf in leaves.items():
        if leaf.grad is None or not leaf.grad.any():
            continue  # an expert that got no token has no gradient
        assert name in grads["params"], f"no gradient reached {name}"
        close(grads["params"][name], leaf.grad, case, what=f"gradient of {name}", **tol)
