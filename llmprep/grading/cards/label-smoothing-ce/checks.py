"""Hidden checks for `label-smoothing-ce`. The reference is torch's own F.cross_entropy in float64, here in the
judge (the submission may not call it)."""

import torch
import torch.nn.functional as F

from llmprep.grading.harness import close


def reference(logits, target, eps=0.0, ignore_index=-100):
    k = logits.shape[-1]
    return F.cross_entropy(
        logits.reshape(-1, k), target.reshape(-1), label_smoothing=eps, ignore_index=ignore_index, reduction="mean"
    )


def parts(logits, target, ignore_index):
    """Per token: -log p_target, -sum_k log p_k, and the not-ignored mask (float64, flattened)."""
    k = logits.shape[-1]
    log_p = torch.log_softmax(logits.reshape(-1, k), dim=-1)
    target = target.reshape(-1)
    keep = target != ignore_index
    safe = torch.where(keep, target, torch.zeros_like(target))
    nll = -log_p.gather(-1, safe[:, None]).squeeze(-1)
    return nll, -log_p.sum(-1), keep.to(torch.float64)


def suspects(logits, target, eps, ignore_index):
    k = logits.shape[-1]
    nll, total, keep = parts(logits, target, ignore_index)
    count = keep.sum()

    def mean(per, over=None, mask=keep):
        return (per * mask).sum() / (count if over is None else over)

    found = {
        "this is the sum over tokens: return the mean over the non-ignored tokens": (
            ((1 - eps) * nll + eps / k * total) * keep
        ).sum(),
    }
    if eps > 0:
        found.update(
            {
                "eps was spread over the K - 1 wrong classes; PyTorch (and this card) spreads eps / K over ALL K "
                "classes, the true one included": mean((1 - eps) * nll + eps / (k - 1) * (total - nll)),
                "the eps / K part of the target is missing: q = (1 - eps) * onehot + eps / K": mean((1 - eps) * nll),
                "the smoothing term is not divided by K: it is eps * mean_k(-log p_k)": mean(
                    (1 - eps) * nll + eps * total
                ),
                "the smoothing term was not weighted by eps (and the true class by 1 - eps)": mean(nll + total / k),
                "label smoothing is ignored: loss = (1 - eps) * nll + eps * mean_k(-log p_k)": mean(nll),
            }
        )
    if not keep.all():
        found["ignored tokens are counted in the mean: divide by the number of non-ignored tokens"] = mean(
            (1 - eps) * nll + eps / k * total, over=keep.numel()
        )
        if eps > 0:
            found["the smoothing term of ignored tokens was kept: ignored tokens contribute nothing at all"] = (
                ((1 - eps) * nll * keep).sum() + (eps / k * total).sum()
            ) / count
    return found


def run(sub, case, logits, target, eps=None, ignore_index=None, loose=1.0, atol=None):
    logits = case.exact(logits)
    args = []
    kwargs = {}
    if eps is not None:
        kwargs["label_smoothing"] = eps
    if ignore_index is not None:
        kwargs["ignore_index"] = ignore_index
    module = sub.new("LabelSmoothingCrossEntropy", *args, **kwargs)
    assert module.param_shapes == {}, f"parameters {module.param_shapes}: the loss has none"
    out = module(logits, target)
    eps = 0.0 if eps is None else eps
    ignore_index = -100 if ignore_index is None else ignore_index
    assert isinstance(out, torch.Tensor), f"forward returned {type(out).__name__}, expected a 0-dim tensor"
    close(
        out,
        reference(logits, target, eps, ignore_index),
        case,
        what=f"loss (label_smoothing={eps:g}, ignore_index={ignore_index})",
        suspects=suspects(logits, target, eps, ignore_index),
        rtol=case.rtol * loose,
        atol=case.atol * loose if atol is None else atol,
    )


def test_no_smoothing(sub, case):
    # the defaults (label_smoothing = 0) give the plain cross-entropy
    run(sub, case, case.randn(8, 5, scale=2.0), case.randint(0, 5, (8,)))


def test_smoothing(sub, case):
    run(sub, case, case.randn(10, 7, scale=2.0), case.randint(0, 7, (10,)), eps=0.1)


def test_heavy_smoothing_few_classes(sub, case):
    # K = 3 and eps = 0.6: eps / K and eps / (K - 1) are far apart
    run(sub, case, case.randn(9, 3, scale=2.0), case.randint(0, 3, (9,)), eps=0.6)
    run(sub, case, case.randn(4, 2, scale=2.0), case.randint(0, 2, (4,)), eps=1.0)


def test_ignore_index(sub, case):
    target = case.randint(0, 6, (3, 8))
    target[0, 5:] = -100
    target[2, 2:] = -100
    run(sub, case, case.randn(3, 8, 6, scale=2.0), target, eps=0.2)


def test_custom_ignore_index(sub, case):
    target = case.randint(1, 9, (12,))
    target[case.randint(0, 12, (5,))] = 0  # 0 is the padding id here
    target[0] = 3
    target[-1] = 0
    run(sub, case, case.randn(12, 9, scale=2.0), target, eps=0.1, ignore_index=0)


def test_sequence_batch(sub, case):
    run(sub, case, case.randn(2, 6, 11, scale=2.0), case.randint(0, 11, (2, 6)), eps=0.15)


def test_returns_scalar(sub, case):
    module = sub.new("LabelSmoothingCrossEntropy", 0.1)
    out = module(case.exact(case.randn(4, 3)), case.randint(0, 3, (4,)))
    assert isinstance(out, torch.Tensor), f"forward returned {type(out).__name__}, expected a 0-dim tensor"
    assert out.dim() == 0, f"forward returned shape {tuple(out.shape)}, expected a 0-dim tensor (shape ())"


def test_large_logits(sub, case):
    # exp overflows from about 89 on: logits near 1000 need a max-subtracted logsumexp; float32 rounds the
    # logits themselves to steps of ~6e-5 there, hence the looser tolerance
    if case.dtype == torch.float32:
        run(sub, case, case.randn(6, 10, offset=1000.0), case.randint(0, 10, (6,)), eps=0.1, loose=10.0)
    else:
        ulp = torch.finfo(case.dtype).eps * 64
        run(sub, case, case.randn(6, 10, offset=100.0), case.randint(0, 10, (6,)), eps=0.1, atol=ulp)


def test_confident_predictions(sub, case):
    # one class dominates by 300: every other probability underflows to 0, so log(softmax) is -inf, yet the
    # smoothing term needs log p_k of every class (and one target is one of those classes)
    logits = case.randn(5, 6)
    winner = case.randint(0, 6, (5,))
    logits[torch.arange(5), winner] += 300.0
    target = winner.clone()
    target[0] = (winner[0] + 1) % 6  # a confidently wrong prediction
    run(sub, case, logits, target, eps=0.1)


def test_gradients(sub, case):
    eps, k = 0.2, 5
    module = sub.new("LabelSmoothingCrossEntropy", eps)
    logits = case.exact(case.randn(3, 4, k, scale=2.0))
    target = case.randint(0, k, (3, 4))
    target[1, 2:] = -100
    grad_out = torch.tensor(1.5, dtype=torch.float64)
    out, grads = module.backward("__call__", logits, target, grad_out=grad_out, wrt=(0,))
    leaf = logits.clone().requires_grad_(True)
    expected = reference(leaf, target, eps)
    expected.backward(grad_out)
    close(out, expected.detach(), case, what="loss", suspects=suspects(logits, target, eps, -100))
    assert grads["inputs"][0] is not None, "no gradient reached logits"
    close(grads["inputs"][0], leaf.grad, case, what="gradient of logits", rtol=case.rtol * 10, atol=case.atol * 10)
