"""Hidden checks for `ppo-gae`. The references run in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close


def gae_reference(rewards, values, dones, gamma, lam, *, cut_value=True, cut_trace=True, use_lam=True, forward=False):
    """Float64 GAE; the keyword arguments produce classic mistakes, used as hints."""
    steps = rewards.shape[0]
    adv = torch.zeros(steps, dtype=torch.float64)
    nxt = 0.0
    order = range(steps) if forward else reversed(range(steps))
    for t in order:
        alive = 1.0 - dones[t]
        delta = rewards[t] + gamma * values[t + 1] * (alive if cut_value else 1.0) - values[t]
        nxt = delta + gamma * (lam if use_lam else 1.0) * (alive if cut_trace else 1.0) * nxt
        adv[t] = nxt
    return adv, adv + values[:steps]


def gae_suspects(rewards, values, dones, gamma, lam, which):
    """which: 0 for advantages, 1 for returns."""
    variants = {
        "the bootstrap values[t+1] is not cut when dones[t] = 1: multiply it by (1 - dones[t])": {"cut_value": False},
        "the recursion is not cut at episode ends: multiply gamma * lam * A_{t+1} by (1 - dones[t])": {
            "cut_trace": False
        },
        "lambda is missing from the recursion: A_t = delta_t + gamma * lam * (1 - d_t) * A_{t+1}": {"use_lam": False},
        "the loop runs forwards; GAE accumulates from the end of the rollout backwards": {"forward": True},
    }
    found = {h: gae_reference(rewards, values, dones, gamma, lam, **kw)[which] for h, kw in variants.items()}
    adv, _ = gae_reference(rewards, values, dones, gamma, lam)
    if which == 1:
        found["returns equal the advantages: add values[:T] (returns = advantages + values[:T])"] = adv
    return found


def rollout(case, steps, done_at=()):
    rewards = case.exact(case.randn(steps))
    values = case.exact(case.randn(steps + 1))
    dones = torch.zeros(steps, dtype=torch.float64)
    for t in done_at:
        dones[t] = 1.0
    return rewards, values, dones


def check_gae(sub, case, rewards, values, dones, gamma=0.99, lam=0.95):
    reply = sub.call("gae", rewards, values, dones, gamma, lam)
    assert isinstance(reply, list | tuple) and len(reply) == 2, (
        f"gae returned {type(reply).__name__}; expected a tuple (advantages, returns)"
    )
    expected = gae_reference(rewards, values, dones, gamma, lam)
    # rounding accumulates along the backward recursion in low-precision dtypes
    loose = 1.0 if case.dtype_name == "float32" else 4.0
    for which, name in enumerate(("advantages", "returns")):
        close(
            reply[which],
            expected[which],
            case,
            what=name,
            suspects=gae_suspects(rewards, values, dones, gamma, lam, which),
            rtol=case.rtol * loose,
            atol=case.atol * loose,
        )


def loss_reference(new, old, adv, eps, *, pick=torch.min, sign=-1.0, clip_adv=False, reduce=torch.mean):
    ratio = torch.exp(new - old)
    clipped = ratio * adv.clamp(1 - eps, 1 + eps) if clip_adv else ratio.clamp(1 - eps, 1 + eps) * adv
    return sign * reduce(pick(ratio * adv, clipped))


def loss_suspects(new, old, adv, eps):
    return {
        "the sign is flipped: the loss is the NEGATIVE mean of the clipped objective": loss_reference(
            new, old, adv, eps, sign=1.0
        ),
        "max instead of min: PPO takes the pessimistic min(r * A, clip(r) * A)": loss_reference(
            new, old, adv, eps, pick=torch.max
        ),
        "the advantages were clipped; clip the ratio r": loss_reference(new, old, adv, eps, clip_adv=True),
        "the ratio is upside down: r = exp(logp_new - logp_old)": loss_reference(old, new, adv, eps),
        "the loss is a sum; take the mean over samples": loss_reference(new, old, adv, eps, reduce=torch.sum),
        "the ratio is logp_new / logp_old; it is exp(logp_new - logp_old)": -torch.min(
            new / old * adv, (new / old).clamp(1 - eps, 1 + eps) * adv
        ).mean(),
    }


def check_loss(sub, case, new, old, adv, eps=None):
    args = (new, old, adv) if eps is None else (new, old, adv, eps)
    got = sub.call("ppo_clip_loss", *args)
    eps = 0.2 if eps is None else eps
    close(got, loss_reference(new, old, adv, eps), case, what="loss", suspects=loss_suspects(new, old, adv, eps))


def log_probs(case, n, spread):
    old = case.exact(-case.rand(n) * 3 - 0.05)
    new = case.exact(old + (case.rand(n) * 2 - 1) * spread)
    return new, old


def test_gae_no_dones(sub, case):
    check_gae(sub, case, *rollout(case, 12))


def test_gae_with_dones(sub, case):
    check_gae(sub, case, *rollout(case, 14, done_at=(3, 4, 9)))


def test_gae_done_at_last_step(sub, case):
    check_gae(sub, case, *rollout(case, 6, done_at=(5,)), gamma=0.9, lam=0.8)


def test_gae_lambda_one(sub, case):
    check_gae(sub, case, *rollout(case, 10, done_at=(6,)), gamma=0.97, lam=1.0)


def test_gae_lambda_zero(sub, case):
    check_gae(sub, case, *rollout(case, 8, done_at=(2,)), gamma=0.9, lam=0.0)


def test_gae_returns(sub, case):
    rewards, values, dones = rollout(case, 9, done_at=(4,))
    values = case.exact(values + 3.0)  # values far from 0: returns and advantages differ clearly
    check_gae(sub, case, rewards, values, dones)


def test_gae_length_one(sub, case):
    check_gae(sub, case, *rollout(case, 1))


def test_ppo_loss_unclipped(sub, case):
    new, old = log_probs(case, 32, spread=0.1)  # every ratio inside [0.9, 1.11]: no clipping happens
    check_loss(sub, case, new, old, case.exact(case.randn(32)))


def test_ppo_loss_clipped(sub, case):
    new, old = log_probs(case, 64, spread=0.8)  # many ratios outside [0.8, 1.2], advantages of both signs
    check_loss(sub, case, new, old, case.exact(case.randn(64)))


def test_ppo_loss_custom_clip(sub, case):
    new, old = log_probs(case, 48, spread=0.5)
    check_loss(sub, case, new, old, case.exact(case.randn(48)), eps=0.1)


def test_ppo_loss_is_scalar(sub, case):
    new, old = log_probs(case, 8, spread=0.3)
    adv = case.exact(case.randn(8))
    got = sub.call("ppo_clip_loss", new, old, adv)
    assert isinstance(got, torch.Tensor), f"ppo_clip_loss returned {type(got).__name__}, expected a 0-dim tensor"
    assert got.dim() == 0, f"ppo_clip_loss returned shape {tuple(got.shape)}, expected a 0-dim tensor (the mean)"
