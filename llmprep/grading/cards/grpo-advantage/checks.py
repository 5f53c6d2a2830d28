"""Hidden checks for `grpo-advantage`. The reference runs in float64 here, in the judge."""

import warnings

import torch

from llmprep.grading.harness import close


def reference(
    rewards,
    group_size,
    eps=1e-4,
    scale_by_std=True,
    *,
    layout="rows",
    correction=1,
    eps_inside=False,
    whole_batch=False,
    use_eps=True,
):
    """Float64 GRPO advantages; the keyword arguments produce classic mistakes, used as hints."""
    if whole_batch:
        g = rewards.view(1, -1)
    elif layout == "rows":
        g = rewards.view(-1, group_size)
    elif layout == "chunks":  # rewards.view(G, -1): G chunks of num_prompts rewards each
        g = rewards.view(group_size, -1)
    else:  # groups taken as the columns of a (G, -1) view: every num_prompts-th reward
        g = rewards.view(group_size, -1).T
    centred = g - g.mean(dim=1, keepdim=True)
    if scale_by_std:
        if eps_inside:
            centred = centred / (g.var(dim=1, keepdim=True, correction=correction) + eps).sqrt()
        else:
            with warnings.catch_warnings():  # a mistaken grouping may leave one reward per group
                warnings.simplefilter("ignore")
                std = g.std(dim=1, keepdim=True, correction=correction)
            centred = centred / (std + eps) if use_eps else centred / std
    return centred.T.reshape(-1) if (layout == "columns" and not whole_batch) else centred.reshape(-1)


def suspects(rewards, group_size, eps=1e-4, scale_by_std=True):
    found = {
        "the rewards were normalised over the whole batch: normalise within each group of G": reference(
            rewards, group_size, eps, scale_by_std, whole_batch=True
        ),
        "groups were read as a (G, -1) view: group g is rewards[g*G:(g+1)*G], i.e. rewards.view(-1, G)": reference(
            rewards, group_size, eps, scale_by_std, layout="chunks"
        ),
        "groups were taken as every num_prompts-th reward: group g is rewards[g*G:(g+1)*G] (contiguous)": reference(
            rewards, group_size, eps, scale_by_std, layout="columns"
        ),
    }
    if scale_by_std:
        found["population std (÷G): the card asks for the sample std (÷(G − 1)), torch.std's default"] = reference(
            rewards, group_size, eps, correction=0
        )
        found["eps is inside the square root: divide by std + eps"] = reference(
            rewards, group_size, eps, eps_inside=True
        )
        found["eps was ignored: divide by (std + eps) with the eps passed in"] = reference(rewards, group_size, 1e-4)
        found["the rewards were not divided by the group std (scale_by_std=True)"] = reference(
            rewards, group_size, eps, scale_by_std=False
        )
    else:
        found["scale_by_std=False: return r − mean without dividing by the std"] = reference(rewards, group_size, eps)
    return found


def finite_or_explain(got, rewards, group_size):
    if isinstance(got, torch.Tensor) and got.shape == rewards.shape and not torch.isfinite(got).all():
        bad = int((~torch.isfinite(got)).nonzero()[0])
        group = rewards[bad - bad % group_size : bad - bad % group_size + group_size]
        raise AssertionError(
            f"advantage {bad} is {got[bad].item()}; its group's rewards are {group.tolist()}"
            + (
                " (all equal: std 0, so divide by std + eps; the advantages are 0)"
                if group.unique().numel() == 1
                else ""
            )
        )


def check(sub, case, rewards, group_size, eps=None, scale_by_std=None):
    kwargs = {}
    if eps is not None:
        kwargs["eps"] = eps
    if scale_by_std is not None:
        kwargs["scale_by_std"] = scale_by_std
    e = 1e-4 if eps is None else eps
    s = True if scale_by_std is None else scale_by_std
    got = sub.call("grpo_advantages", rewards, group_size, **kwargs)
    finite_or_explain(got, rewards, group_size)
    loose = 1.0 if case.dtype_name == "float32" else 2.5  # bfloat16: the group mean itself is rounded to 8 bits
    close(
        got,
        reference(rewards, group_size, e, s),
        case,
        what="advantages",
        suspects=suspects(rewards, group_size, e, s),
        rtol=case.rtol * loose,
        atol=case.atol * loose,
    )


def test_single_group(sub, case):
    check(sub, case, case.exact(case.randn(8, scale=2.0, offset=1.0)), 8)


def test_many_groups(sub, case):
    check(sub, case, case.exact(case.randn(4 * 6)), 6)


def test_groups_are_contiguous(sub, case):
    # five prompts of very different difficulty: each group has its own level and spread
    levels = torch.tensor([-3.0, 0.0, 1.5, 3.0, 5.0], dtype=torch.float64).repeat_interleave(4)
    spreads = torch.tensor([0.5, 1.0, 3.0, 0.7, 2.0], dtype=torch.float64).repeat_interleave(4)
    check(sub, case, case.exact(levels + spreads * case.randn(20)), 4)


def test_sample_std(sub, case):
    # G = 2: the sample std is √2 times the population std
    check(sub, case, case.exact(case.randn(2 * 5, scale=3.0)), 2)
    check(sub, case, case.exact(case.randn(3 * 4)), 3)


def test_all_equal_group(sub, case):
    rewards = case.exact(case.randn(3 * 5))
    # group 1: every completion got the same reward, a multiple of 1/4 so that its mean is exact in any dtype
    rewards[5:10] = case.randint(-8, 9, (1,)).double() / 4
    got = sub.call("grpo_advantages", rewards, 5)
    finite_or_explain(got, rewards, 5)
    close(got, reference(rewards, 5), case, what="advantages", suspects=suspects(rewards, 5))


def test_binary_rewards(sub, case):
    # 0/1 verifiable rewards: group 0 all wrong, group 1 all right, the others mixed
    groups, size = 6, 8
    rewards = (case.rand(groups * size) < 0.5).double()
    rewards[:size] = 0.0
    rewards[size : 2 * size] = 1.0
    for g in range(2, groups):  # make sure the mixed groups really are mixed
        rewards[g * size] = 1.0
        rewards[g * size + 1] = 0.0
    check(sub, case, rewards, size)


def test_custom_eps(sub, case):
    rewards = case.exact(case.randn(4 * 4, scale=0.5))
    check(sub, case, rewards, 4, eps=0.5)


def test_no_std_scaling(sub, case):
    rewards = case.exact(case.randn(3 * 6, scale=2.0, offset=0.5))
    check(sub, case, rewards, 6, scale_by_std=False)
    check(sub, case, rewards, 6, eps=0.3, scale_by_std=False)
