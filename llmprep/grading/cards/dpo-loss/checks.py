"""Hidden checks for `dpo-loss`. The reference runs in float64 here, in the judge."""

import math

import torch
import torch.nn.functional as F

from llmprep.grading.harness import close


def reference(
    pc,
    pr,
    rc,
    rr,
    beta=0.1,
    eps=0.0,
    *,
    h_sign=1.0,
    use_ref=True,
    use_beta=True,
    smooth_sign=1.0,
    reduce="mean",
    mean_first=False,
):
    """Float64 DPO loss; the keyword arguments produce classic mistakes, used as hints."""
    h = (pc - rc) - (pr - rr) if use_ref else pc - pr
    h = h_sign * h
    if mean_first:
        h = h.mean()
    z = beta * h if use_beta else h
    losses = -(1.0 - eps) * F.logsigmoid(z) - smooth_sign * eps * F.logsigmoid(-z)
    return losses.sum() if reduce == "sum" else losses.mean()


def suspects(pc, pr, rc, rr, beta, eps):
    found = {
        "chosen and rejected are swapped: h = (π_chosen − ref_chosen) − (π_rejected − ref_rejected)": reference(
            pc, pr, rc, rr, beta, eps, h_sign=-1.0
        ),
        "the reference model is missing: subtract ref_* from policy_* before comparing the answers": reference(
            pc, pr, rc, rr, beta, eps, use_ref=False
        ),
        "β is missing: the logit is β·h": reference(pc, pr, rc, rr, beta, eps, use_beta=False),
        "the loss is a sum over pairs; take the mean": reference(pc, pr, rc, rr, beta, eps, reduce="sum"),
        "h was averaged before the sigmoid: apply −log σ(β·h_i) to each pair, then average the losses": reference(
            pc, pr, rc, rr, beta, eps, mean_first=True
        ),
    }
    if eps > 0:
        found["the label-smoothing weights are swapped: (1 − ε) multiplies −log σ(β·h)"] = reference(
            pc, pr, rc, rr, beta, 1.0 - eps
        )
        found["the ε term has the wrong sign: it ADDS ε·(−log σ(−β·h))"] = reference(
            pc, pr, rc, rr, beta, eps, smooth_sign=-1.0
        )
        found["label smoothing is ignored: use the label_smoothing argument"] = reference(pc, pr, rc, rr, beta, 0.0)
    return found


def pairs(case, n, spread=1.0, offset=-40.0):
    """Sequence log-prob sums (negative, tens of nats) and a policy that moved away from the reference."""
    rc = case.exact(case.randn(n, scale=10.0, offset=offset))
    rr = case.exact(case.randn(n, scale=10.0, offset=offset))
    pc = case.exact(rc + case.randn(n, scale=spread * 5.0))
    pr = case.exact(rr + case.randn(n, scale=spread * 5.0))
    return pc, pr, rc, rr


def build(sub, beta=None, eps=None):
    kwargs = {}
    if beta is not None:
        kwargs["beta"] = beta
    if eps is not None:
        kwargs["label_smoothing"] = eps
    module = sub.new("DPOLoss", **kwargs)
    assert module.param_shapes == {}, f"DPOLoss must have no parameters, found {module.param_shapes}"
    return module


def check(sub, case, inputs, beta=None, eps=None, loose=1.0):
    module = build(sub, beta, eps)
    got = module(*inputs)
    b = 0.1 if beta is None else beta
    e = 0.0 if eps is None else eps
    if isinstance(got, torch.Tensor) and got.dim() != 0:
        raise AssertionError(f"the loss has shape {tuple(got.shape)}; return a 0-dim tensor (the mean over pairs)")
    close(
        got,
        reference(*inputs, b, e),
        case,
        what="loss",
        suspects=suspects(*inputs, b, e),
        rtol=case.rtol * loose,
        atol=case.atol * loose,
    )


def test_basic(sub, case):
    check(sub, case, pairs(case, 16), beta=0.1)


def test_default_arguments(sub, case):
    check(sub, case, pairs(case, 8))  # beta = 0.1, label_smoothing = 0.0


def test_beta(sub, case):
    inputs = pairs(case, 12, spread=0.3)
    check(sub, case, inputs, beta=0.5)
    check(sub, case, inputs, beta=2.0)


def test_reference_matters(sub, case):
    # the reference already prefers one answer by a lot: ignoring it flips many pairs
    pc, pr, rc, rr = pairs(case, 16)
    shift = case.exact(case.randn(16, scale=30.0))
    check(sub, case, (case.exact(pc + shift), pr, case.exact(rc + shift), rr), beta=0.1)


def test_zero_margin(sub, case):
    # policy = reference: every h_i = 0 and the loss is log 2 whatever β and ε
    rc = case.exact(case.randn(6, scale=10.0, offset=-30.0))
    rr = case.exact(case.randn(6, scale=10.0, offset=-30.0))
    module = build(sub, 0.3, 0.2)
    got = module(rc, rr, rc, rr)
    close(got, torch.tensor(math.log(2.0), dtype=torch.float64), case, what="loss at h = 0 (expected log 2)")


def test_label_smoothing(sub, case):
    inputs = pairs(case, 16, spread=0.6)
    check(sub, case, inputs, beta=0.2, eps=0.1)
    check(sub, case, inputs, beta=0.2, eps=0.3)


def test_large_margins(sub, case):
    # |β·h| up to several hundred in both directions: log(sigmoid(z)) is log(0) = -inf for z << 0 in float32,
    # and log(1 + exp(-z)) overflows; the loss itself is ~|z|, so relative accuracy is what counts
    n = 10
    rc = case.exact(case.randn(n, scale=50.0, offset=-400.0))
    rr = case.exact(case.randn(n, scale=50.0, offset=-400.0))
    signs = torch.tensor([1.0, -1.0] * (n // 2), dtype=torch.float64)
    margin = signs * (1500.0 + 500.0 * case.rand(n))
    pc = case.exact(rc + margin / 2)
    pr = case.exact(rr - margin / 2)
    check(sub, case, (pc, pr, rc, rr), beta=0.2, loose=2.0)
    check(sub, case, (pc, pr, rc, rr), beta=0.2, eps=0.1, loose=2.0)


def test_single_pair(sub, case):
    check(sub, case, pairs(case, 1), beta=0.1)


def test_gradients(sub, case):
    for beta, eps in ((0.1, 0.0), (0.5, 0.2)):
        module = build(sub, beta, eps)
        pc, pr, rc, rr = pairs(case, 12, spread=0.5)
        grad_out = case.exact(case.randn(1).reshape(()) + 2.0)
        out, grads = module.backward("__call__", pc, pr, rc, rr, grad_out=grad_out, wrt=(0, 1))
        leaves = [pc.clone().requires_grad_(True), pr.clone().requires_grad_(True)]
        expected = reference(leaves[0], leaves[1], rc, rr, beta, eps)
        expected.backward(grad_out)
        close(out, expected.detach(), case, what="loss", suspects=suspects(pc, pr, rc, rr, beta, eps))
        tol = {"rtol": case.rtol * 10, "atol": case.atol * 10}
        for name, given, want in zip(
            ("policy_chosen_logps", "policy_rejected_logps"), grads["inputs"], leaves, strict=True
        ):
            close(given, want.grad, case, what=f"gradient of {name} (beta={beta}, label_smoothing={eps})", **tol)
