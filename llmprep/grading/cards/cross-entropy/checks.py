"""Hidden checks for `cross-entropy`. The reference runs in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close


def per_token(logits, target, ignore_index=-100):
    """Float64 loss per token (0 where ignored), flattened."""
    logits = logits.reshape(-1, logits.shape[-1])
    target = target.reshape(-1)
    keep = target != ignore_index
    safe = torch.where(keep, target, torch.zeros_like(target))
    loss = torch.logsumexp(logits, dim=-1) - logits.gather(-1, safe[:, None]).squeeze(-1)
    return torch.where(keep, loss, torch.zeros_like(loss)), keep


def reference(logits, target, ignore_index=-100):
    loss, keep = per_token(logits, target, ignore_index)
    return loss.sum() / keep.sum()


def suspects(logits, target, ignore_index=-100):
    loss, keep = per_token(logits, target, ignore_index)
    found = {
        "this is the sum over tokens: return the mean over the non-ignored tokens": loss.sum(),
        "the sign is flipped: the loss is -log p(target), which is >= 0": -loss.sum() / keep.sum(),
    }
    if not keep.all():
        found["ignored tokens are counted in the mean: divide by the number of non-ignored tokens"] = (
            loss.sum() / keep.numel()
        )
    return found


def run(sub, case, logits, target, ignore_index=None, loose=1.0, atol=None):
    logits = case.exact(logits)
    if ignore_index is None:
        out = sub.call("cross_entropy", logits, target)
        ignore_index = -100
    else:
        out = sub.call("cross_entropy", logits, target, ignore_index=ignore_index)
    close(
        out,
        reference(logits, target, ignore_index),
        case,
        what="loss",
        suspects=suspects(logits, target, ignore_index),
        rtol=case.rtol * loose,
        atol=case.atol * loose if atol is None else atol,
    )


def test_basic(sub, case):
    run(sub, case, case.randn(8, 5, scale=2.0), case.randint(0, 5, (8,)))


def test_returns_scalar(sub, case):
    logits = case.exact(case.randn(4, 3))
    out = sub.call("cross_entropy", logits, case.randint(0, 3, (4,)))
    assert isinstance(out, torch.Tensor), f"returned {type(out).__name__}, expected a 0-dim tensor"
    assert out.dim() == 0, f"returned shape {tuple(out.shape)}, expected a 0-dim tensor (shape ())"


def test_sequence_batch(sub, case):
    run(sub, case, case.randn(2, 6, 11, scale=2.0), case.randint(0, 11, (2, 6)))


def test_ignore_index(sub, case):
    target = case.randint(0, 7, (3, 8))
    target[0, 5:] = -100
    target[2, 2:] = -100
    run(sub, case, case.randn(3, 8, 7, scale=2.0), target)


def test_custom_ignore_index(sub, case):
    target = case.randint(1, 9, (12,))
    target[case.randint(0, 12, (5,))] = 0  # 0 is the padding id here
    target[0] = 3
    target[-1] = 0
    run(sub, case, case.randn(12, 9, scale=2.0), target, ignore_index=0)


def test_large_logits(sub, case):
    # exp overflows from about 89 on (float32, bfloat16) or 11 (float16); near 1000, float32 rounds the logits
    # themselves to steps of ~6e-5, hence the looser tolerance there
    if case.dtype == torch.float32:
        run(sub, case, case.randn(6, 10, offset=1000.0), case.randint(0, 10, (6,)), loose=10.0)
    else:  # near 100 the loss itself is rounded to steps of 64 * eps (0.5 in bfloat16)
        ulp = torch.finfo(case.dtype).eps * 64
        run(sub, case, case.randn(6, 10, offset=100.0), case.randint(0, 10, (6,)), atol=ulp)


def test_confident_wrong_predictions(sub, case):
    # the target's probability is about exp(-300): it underflows to 0 in floating point
    logits = case.randn(5, 6)
    target = case.randint(0, 6, (5,))
    logits[torch.arange(5), target] -= 300.0
    run(sub, case, logits, target)


def test_single_token(sub, case):
    run(sub, case, case.randn(1, 4), case.randint(0, 4, (1,)))
