"""Hidden checks for `moe-router`. The references run in float64 here, in the judge."""

import math

import torch

from llmprep.grading.harness import close


def route(logits, k, cf=None, *, renorm=True, order="slot", rounding="ceil", zero_dropped=True, renorm_after=False):
    """Float64 reference routing; the keyword arguments produce the classic mistakes, used as hints."""
    tokens, n = logits.shape
    probs = torch.softmax(logits, dim=-1)
    top_p, experts = probs.topk(k, dim=-1)
    weights = top_p / top_p.sum(-1, keepdim=True) if renorm else top_p
    keep = torch.ones(tokens, k, dtype=torch.bool)
    if cf is not None:
        raw = cf * tokens * k / n
        capacity = math.ceil(raw) if rounding == "ceil" else math.floor(raw)
        counts = [0] * n
        slots = [(t, j) for j in range(k) for t in range(tokens)]
        if order == "token":
            slots = [(t, j) for t in range(tokens) for j in range(k)]
        for t, j in slots:
            e = int(experts[t, j])
            if counts[e] < capacity:
                counts[e] += 1
            else:
                keep[t, j] = False
        if zero_dropped:
            weights = weights * keep
        if renorm_after:
            weights = weights / weights.sum(-1, keepdim=True).clamp_min(1e-30)
    return weights, experts, keep


def distinct_logits(case, tokens, n, scale=1.0, bias=None, k=None):
    """Logits whose k + 1 largest values per row are apart (all of them when k is None): rounding to the grading
    dtype cannot change which experts are chosen, nor their order."""
    bias = torch.zeros(n, dtype=torch.float64) if bias is None else torch.tensor(bias, dtype=torch.float64)
    top = n if k is None else min(k + 1, n)
    for _ in range(100):
        x = case.exact(case.randn(tokens, n, scale=scale) + bias)
        gaps = x.sort(dim=-1, descending=True).values[:, :top].diff(dim=-1).abs()
        if gaps.numel() == 0 or gaps.min() > 1e-3:
            return x
    raise AssertionError("internal: could not draw logits without near-ties")


def unpack(got, tokens, k):
    assert isinstance(got, list | tuple) and len(got) == 3, (
        f"route returned {type(got).__name__}; expected a tuple (weights, experts, keep)"
    )
    weights, experts, keep = got
    for name, value in (("weights", weights), ("experts", experts), ("keep", keep)):
        assert isinstance(value, torch.Tensor), f"{name} is {type(value).__name__}, expected a tensor"
        assert tuple(value.shape) == (tokens, k), f"{name} has shape {tuple(value.shape)}, expected ({tokens}, {k})"
    assert not experts.is_floating_point(), f"experts has dtype {experts.dtype}, expected int64 indices"
    assert keep.dtype == torch.bool, f"keep has dtype {keep.dtype}, expected torch.bool"
    return weights, experts.long(), keep


def check_route(sub, case, logits, k, cf=None):
    tokens = logits.shape[0]
    got = sub.call("route", logits, k) if cf is None else sub.call("route", logits, k, cf)
    weights, experts, keep = unpack(got, tokens, k)
    call = f"route(T={tokens}, E={logits.shape[1]}, k={k}, capacity_factor={cf})"
    want_w, want_e, want_keep = route(logits, k, cf)
    if not torch.equal(experts, want_e):
        t = int((experts != want_e).any(-1).nonzero()[0])
        hint = ""
        if torch.equal(experts, want_e.flip(-1)):
            hint = "\nhint: the experts must be in DESCENDING order of probability (torch.topk's order)"
        elif torch.equal(experts, logits.topk(k, dim=-1, largest=False).indices):
            hint = "\nhint: those are the SMALLEST logits: take the k largest"
        raise AssertionError(
            f"{call}: token {t} picked experts {experts[t].tolist()}, expected {want_e[t].tolist()}{hint}"
        )
    if not torch.equal(keep, want_keep):
        t = int((keep != want_keep).any(-1).nonzero()[0])
        hints = {
            "tokens were served one by one (token-major); all slot-0 choices come before any slot-1 choice": route(
                logits, k, cf, order="token"
            )[2],
            "the capacity is rounded down; C = ceil(capacity_factor * T * k / E)": route(
                logits, k, cf, rounding="floor"
            )[2],
        }
        hint = next((h for h, m in hints.items() if torch.equal(keep, m)), "")
        raise AssertionError(
            f"{call}: keep differs first at token {t}: got {keep[t].tolist()}, expected {want_keep[t].tolist()} "
            f"({int((keep != want_keep).sum())} assignments differ; experts {experts[t].tolist()})"
            + (f"\nhint: {hint}" if hint else "")
        )
    suspects = {
        "the selected probabilities are not renormalised: divide by their sum over the k experts": route(
            logits, k, cf, renorm=False
        )[0],
        "a dropped assignment must get weight 0.0 (weights * keep)": route(logits, k, cf, zero_dropped=False)[0],
        "the kept weights were renormalised after dropping; this card keeps them as they were": route(
            logits, k, cf, renorm_after=True
        )[0],
    }
    close(weights, want_w, case, what=f"{call}: weights", suspects=suspects)


def pick(case, make, accept, tries=200):
    """The first draw (from the seed) on which `accept` holds."""
    for _ in range(tries):
        logits = make()
        if accept(logits):
            return logits
    raise AssertionError("internal: no draw met the condition")


def test_gate_weights(sub, case):
    check_route(sub, case, distinct_logits(case, 10, 8, k=2), k=2)


def test_k_equals_one(sub, case):
    check_route(sub, case, distinct_logits(case, 9, 4, k=1), k=1)  # renormalised: every weight is 1.0


def test_k_equals_all_experts(sub, case):
    check_route(sub, case, distinct_logits(case, 5, 4, k=4), k=4)  # all experts, sorted; weights = softmax


def test_large_logits(sub, case):
    check_route(sub, case, distinct_logits(case, 6, 8, scale=3.0, bias=[1000.0] * 8, k=2), k=2)


def test_no_capacity_limit(sub, case):
    check_route(sub, case, distinct_logits(case, 12, 4, bias=[2.0, 0.0, 0.0, 0.0], k=2), k=2, cf=4.0)  # C = T * k


def test_capacity_drops(sub, case):
    logits = distinct_logits(case, 16, 4, bias=[1.5, 0.8, 0.0, -0.5], k=2)  # expert 0 is popular
    assert not route(logits, 2, 1.0)[2].all()
    check_route(sub, case, logits, k=2, cf=1.0)


def test_capacity_priority(sub, case):
    # inputs on which serving tokens one by one drops different assignments than slot by slot
    def make():
        return distinct_logits(case, 10, 4, bias=[1.2, 0.9, 0.0, -0.6], k=2)

    logits = pick(case, make, lambda x: not torch.equal(route(x, 2, 1.0)[2], route(x, 2, 1.0, order="token")[2]))
    check_route(sub, case, logits, k=2, cf=1.0)


def test_capacity_rounding(sub, case):
    # C = ceil(1.25 * 10 * 2 / 4) = ceil(6.25) = 7; rounding down would give 6
    def make():
        return distinct_logits(case, 10, 4, bias=[1.5, 0.5, 0.0, -0.5], k=2)

    logits = pick(case, make, lambda x: not torch.equal(route(x, 2, 1.25)[2], route(x, 2, 1.25, rounding="floor")[2]))
    check_route(sub, case, logits, k=2, cf=1.25)


def aux_reference(logits, k, alpha, *, p_from="softmax", f_from="counts", scale_e=True, per_slot=False):
    """Float64 Switch loss; the keyword arguments produce the classic mistakes, used as hints."""
    tokens, n = logits.shape
    probs = torch.softmax(logits, dim=-1)
    top_p, experts = probs.topk(k, dim=-1)
    counts = torch.bincount(experts.reshape(-1), minlength=n).to(torch.float64)
    f = counts / (tokens if per_slot else tokens * k) if f_from == "counts" else probs.mean(0)
    if p_from == "softmax":
        p = probs.mean(0)
    else:  # the renormalised top-k weights, scattered back to all experts
        p = torch.zeros_like(probs).scatter(-1, experts, top_p / top_p.sum(-1, keepdim=True)).mean(0)
    return alpha * (n if scale_e else 1) * (f * p).sum()


def aux_suspects(logits, k, alpha):
    found = {
        "P_i must average the FULL softmax over all experts, not the renormalised top-k weights": aux_reference(
            logits, k, alpha, p_from="topk"
        ),
        "f_i is the fraction of assignments (a count), not the mean probability; that gives alpha * E * sum P_i^2": (
            aux_reference(logits, k, alpha, f_from="probs")
        ),
        "the factor E (number of experts) is missing: loss = alpha * E * sum_i f_i P_i": aux_reference(
            logits, k, alpha, scale_e=False
        ),
    }
    if k > 1:
        found["f_i counts the k slots per token (sum_i f_i = k); divide by T * k so sum_i f_i = 1"] = aux_reference(
            logits, k, alpha, per_slot=True
        )
    return found


def check_aux(sub, case, logits, k, alpha):
    got = sub.call("load_balancing_loss", logits, k, alpha)
    assert isinstance(got, torch.Tensor) and got.dim() == 0, (
        f"load_balancing_loss returned {type(got).__name__} {tuple(getattr(got, 'shape', ()))}, expected a 0-dim tensor"
    )
    close(
        got, aux_reference(logits, k, alpha), case, what="load_balancing_loss", suspects=aux_suspects(logits, k, alpha)
    )


def test_aux_loss(sub, case):
    check_aux(sub, case, distinct_logits(case, 24, 8, bias=[1.0, 0.5] + [0.0] * 6, k=2), k=2, alpha=0.01)
    check_aux(sub, case, distinct_logits(case, 16, 4, k=1), k=1, alpha=0.1)


def test_aux_loss_balanced(sub, case):
    # every token is a cyclic shift of the same logits: f_i = P_i = 1/E, so the loss is exactly alpha
    base = torch.tensor([2.0, 1.0, 0.25, -1.0], dtype=torch.float64)
    logits = torch.stack([base.roll(t) for t in range(8)])
    for k in (1, 2):
        check_aux(sub, case, logits, k, 0.05)


def test_weight_gradients(sub, case):
    for cf in (None, 1.0):
        probe = sub.new("RouterProbe", 2, cf)
        logits = distinct_logits(case, 12, 4, bias=[1.0, 0.5, 0.0, 0.0], k=2)
        grad_out = case.exact(case.randn(12, 2))
        out, grads = probe.backward("weights", logits, grad_out=grad_out, wrt=(0,))
        leaf = logits.clone().requires_grad_(True)
        expected = route(leaf, 2, cf)[0]
        expected.backward(grad_out)
        close(out, expected.detach(), case, what=f"weights (capacity_factor={cf})")
        assert grads["inputs"][0] is not None, "no gradient reached router_logits through the weights"
        close(
            grads["inputs"][0],
            leaf.grad,
            case,
            what=f"gradient of router_logits (capacity_factor={cf})",
            rtol=case.rtol * 10,
            atol=case.atol * 10,
        )


def test_aux_loss_gradients(sub, case):
    alpha = 1.0  # gradients well above the tolerance
    probe = sub.new("RouterProbe", 2, None, alpha)
    logits = distinct_logits(case, 20, 6, bias=[1.0, 0.3, 0.0, 0.0, -0.2, 0.0], k=2)
    grad_out = torch.tensor(1.0, dtype=torch.float64)
    out, grads = probe.backward("aux", logits, grad_out=grad_out, wrt=(0,))
    leaf = logits.clone().requires_grad_(True)
    expected = aux_reference(leaf, 2, alpha)
    expected.backward()
    close(out, expected.detach(), case, what="load_balancing_loss", suspects=aux_suspects(logits, 2, alpha))
    assert grads["inputs"][0] is not None, (
        "no gradient reached router_logits through the loss (P_i must be differentiable)"
    )
    topk = logits.clone().requires_grad_(True)
    aux_reference(topk, 2, alpha, p_from="topk").backward()
    wrong = {
        "no gradient flows back: compute P_i from softmax(router_logits) without .detach()": torch.zeros_like(
            leaf.grad
        ),
        "P_i must average the FULL softmax over all experts, not the renormalised top-k weights": topk.grad,
    }
    close(
        grads["inputs"][0],
        leaf.grad,
        case,
        what="gradient of router_logits",
        suspects=wrong,
        rtol=case.rtol * 10,
        atol=case.atol * 10,
    )
