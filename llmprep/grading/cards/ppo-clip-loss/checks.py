"""Hidden checks for `ppo-clip-loss`. The reference runs in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close


def reference(
    new,
    old,
    adv,
    mask,
    lo=0.2,
    hi=None,
    *,
    pick=torch.minimum,
    sign=-1.0,
    clip_adv=False,
    reduce="token",
    ratio_upside_down=False,
):
    """Float64 token-level PPO loss; the keyword arguments produce classic mistakes, used as hints."""
    hi = lo if hi is None else hi
    mask = mask.bool()
    if adv.dim() == 1:
        adv = adv[:, None].expand_as(new)
    log_ratio = torch.where(mask, (old - new) if ratio_upside_down else (new - old), torch.zeros_like(new))
    ratio = log_ratio.exp()
    clipped = ratio * adv.clamp(1 - lo, 1 + hi) if clip_adv else ratio.clamp(1 - lo, 1 + hi) * adv
    per_token = torch.where(mask, sign * pick(ratio * adv, clipped), torch.zeros_like(new))
    m = mask.to(new.dtype)
    if reduce == "token":
        return per_token.sum() / m.sum()
    if reduce == "all":
        return per_token.sum() / m.numel()
    if reduce == "sum":
        return per_token.sum()
    # "sequence": the mean over responses of each response's own token mean
    return (per_token.sum(-1) / m.sum(-1).clamp_min(1)).mean()


def suspects(new, old, adv, mask, lo=0.2, hi=None):
    a = (new, old, adv, mask, lo, hi)
    found = {
        "the sign is flipped: the loss is −min(r·A, clip(r)·A)": reference(*a, sign=1.0),
        "max instead of min: PPO takes the pessimistic min(r·A, clip(r)·A)": reference(*a, pick=torch.maximum),
        "the advantages were clipped; clip the ratio r": reference(*a, clip_adv=True),
        "the ratio is upside down: r = exp(logp_new − logp_old)": reference(*a, ratio_upside_down=True),
        "divided by B·T: divide by the number of masked-in tokens, mask.sum()": reference(*a, reduce="all"),
        "a mean of per-response means: the card wants Σ over masked tokens / number of masked tokens": reference(
            *a, reduce="sequence"
        ),
        "the loss is a sum; divide by the number of masked-in tokens": reference(*a, reduce="sum"),
    }
    if hi is not None and hi != lo:
        found["clip_eps_high was ignored: clip to [1 − clip_eps, 1 + clip_eps_high]"] = reference(*a[:4], lo, lo)
        found["the clip bounds are swapped: 1 − clip_eps below, 1 + clip_eps_high above"] = reference(*a[:4], hi, lo)
    return found


def away_from_bounds(ratio, bounds, margin):
    """Move ratios off the clip boundaries (where min/clamp switch branch) so rounding cannot flip a branch."""
    for b in bounds:
        near = (ratio - b).abs() < margin
        ratio = torch.where(near, ratio + 4 * margin, ratio)
    return ratio


def batch(case, b, t, spread, lengths=None, lo=0.2, hi=None, garbage=False, seq_adv=False):
    """logp_old, logp_new, advantages and a right-padded mask (response lengths `lengths`)."""
    hi = lo if hi is None else hi
    old = -case.rand(b, t) * 4 - 0.05
    log_ratio = (case.rand(b, t) * 2 - 1) * spread
    # float32 moves a ratio by ~1e-6 here, bfloat16 by up to ~2e-2 (log-probs near -4 are rounded to 1/64)
    ratio = away_from_bounds(log_ratio.exp(), (1 - lo, 1 + hi), 2e-3 if case.dtype_name == "float32" else 5e-2)
    old = case.exact(old)
    new = case.exact(old + ratio.log())
    lengths = lengths if lengths is not None else [t] * b
    mask = torch.arange(t)[None, :] < torch.tensor(lengths)[:, None]
    adv = case.exact(case.randn(b) if seq_adv else case.randn(b, t))
    if garbage:  # padding fill: exp(new - old) overflows there
        new = torch.where(mask, new, torch.zeros_like(new))
        old = torch.where(mask, old, torch.full_like(old, -1e4))
        if not seq_adv:
            adv = torch.where(mask, adv, case.exact(case.randn(b, t, scale=100.0)))
    else:
        # padding holds other (finite, moderate) values that must simply be ignored
        new = torch.where(mask, new, case.exact(-case.rand(b, t) * 3))
    return new, old, adv, mask


def build(sub, lo=None, hi=None):
    kwargs = {}
    if lo is not None:
        kwargs["clip_eps"] = lo
    if hi is not None:
        kwargs["clip_eps_high"] = hi
    module = sub.new("PPOClipLoss", **kwargs)
    assert module.param_shapes == {}, f"PPOClipLoss must have no parameters, found {module.param_shapes}"
    return module


def check(sub, case, inputs, lo=None, hi=None, send_mask=None):
    module = build(sub, lo, hi)
    new, old, adv, mask = inputs
    got = module(new, old, adv, mask if send_mask is None else send_mask)
    lo_ = 0.2 if lo is None else lo
    if isinstance(got, torch.Tensor) and got.dim() != 0:
        raise AssertionError(f"the loss has shape {tuple(got.shape)}; return a 0-dim tensor")
    if isinstance(got, torch.Tensor) and not torch.isfinite(got).all() and not mask.bool().all():
        raise AssertionError(
            f"the loss is {got.item()}, expected {reference(new, old, adv, mask, lo_, hi).item():g}: a padding "
            "position leaked into it (exp of its log-ratio overflows; inf * 0 = nan)"
        )
    close(
        got, reference(new, old, adv, mask, lo_, hi), case, what="loss", suspects=suspects(new, old, adv, mask, lo_, hi)
    )


def test_unclipped(sub, case):
    # every ratio within [0.9, 1.11] and no padding: plain −mean(r·A)
    check(sub, case, batch(case, 3, 10, spread=0.1))


def test_clipped(sub, case):
    # many ratios outside [0.8, 1.2], advantages of both signs
    check(sub, case, batch(case, 4, 12, spread=0.8))


def test_custom_clip(sub, case):
    check(sub, case, batch(case, 3, 16, spread=0.6, lo=0.1), lo=0.1)


def test_masked_token_mean(sub, case):
    # responses of very different lengths: token-level, per-response and all-position means all differ
    check(sub, case, batch(case, 4, 20, spread=0.5, lengths=[20, 3, 11, 7]))


def test_float_mask(sub, case):
    new, old, adv, mask = batch(case, 3, 9, spread=0.5, lengths=[9, 4, 6])
    check(sub, case, (new, old, adv, mask), send_mask=mask.double())


def test_padding_garbage(sub, case):
    # padding holds logp_old = -1e4 and logp_new = 0: exp(new - old) is inf there, inf * 0 is nan
    check(sub, case, batch(case, 3, 12, spread=0.5, lengths=[12, 5, 8], garbage=True))


def test_sequence_advantages(sub, case):
    # (B,) advantages, one per response, with B != T
    check(sub, case, batch(case, 3, 8, spread=0.6, lengths=[8, 5, 2], seq_adv=True))


def test_clip_higher(sub, case):
    check(sub, case, batch(case, 4, 16, spread=0.7, lengths=[16, 10, 16, 4], lo=0.2, hi=0.28), lo=0.2, hi=0.28)


def gradient_check(sub, case, inputs, lo=0.2, hi=None):
    module = build(sub, lo, hi)
    new, old, adv, mask = inputs
    grad_out = case.exact(case.randn(1).reshape(()) + 2.0)
    out, grads = module.backward("__call__", new, old, adv, mask, grad_out=grad_out, wrt=(0,))
    leaf = new.clone().requires_grad_(True)
    expected = reference(leaf, old, adv, mask, lo, hi)
    expected.backward(grad_out)
    close(out, expected.detach(), case, what="loss", suspects=suspects(new, old, adv, mask, lo, hi))
    given = grads["inputs"][0]
    if isinstance(given, torch.Tensor) and given.shape == new.shape and not torch.isfinite(given).all():
        bad = tuple(int(i) for i in (~torch.isfinite(given)).nonzero()[0])
        where = "a padding position" if not mask[bad] else "a response token"
        raise AssertionError(
            f"gradient of logp_new is {given[bad].item()} at {list(bad)}, {where} (expected "
            f"{leaf.grad[bad].item():g}): exp of the padding's log-ratio is inf, and its gradient times 0 is nan"
        )
    close(given, leaf.grad, case, what="gradient of logp_new", rtol=case.rtol * 10, atol=case.atol * 10)


def test_gradients(sub, case):
    gradient_check(sub, case, batch(case, 3, 10, spread=0.6, lengths=[10, 6, 3]))
    gradient_check(sub, case, batch(case, 2, 8, spread=0.6, lo=0.2, hi=0.3), hi=0.3)


def test_gradients_with_padding_garbage(sub, case):
    gradient_check(sub, case, batch(case, 3, 10, spread=0.6, lengths=[10, 4, 7], garbage=True))
