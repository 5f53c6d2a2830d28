"""Hidden checks for `adamw`. The reference is torch.optim.AdamW itself, run in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close

DEFAULTS = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2}


def reference(params, grads, exp_avgs, exp_avg_sqs, step, *, lr, betas, eps, weight_decay):
    """One torch.optim.AdamW step from the given state; returns (params, exp_avgs, exp_avg_sqs) in float64."""
    ps = [p.clone() for p in params]
    opt = torch.optim.AdamW(ps, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=False)
    for p, g, m, v in zip(ps, grads, exp_avgs, exp_avg_sqs, strict=True):
        p.grad = g.clone()
        opt.state[p] = {"step": torch.tensor(float(step - 1)), "exp_avg": m.clone(), "exp_avg_sq": v.clone()}
    opt.step()
    return ps, [opt.state[p]["exp_avg"] for p in ps], [opt.state[p]["exp_avg_sq"] for p in ps]


def manual(params, grads, exp_avgs, exp_avg_sqs, step, *, lr, betas, eps, weight_decay, mistake):
    """Float64 AdamW with one classic mistake, for hints."""
    b1, b2 = betas
    out = ([], [], [])
    for p, g, m, v in zip(params, grads, exp_avgs, exp_avg_sqs, strict=True):
        if mistake == "l2":
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        bc1, bc2 = (1.0, 1.0) if mistake == "no_bias_correction" else (1 - b1**step, 1 - b2**step)
        denom = (v / bc2 + eps).sqrt() if mistake == "eps_inside" else (v / bc2).sqrt() + eps
        update = lr * (m / bc1) / denom
        if mistake == "l2":
            new = p - update
        elif mistake == "decay_without_lr":
            new = p * (1 - weight_decay) - update
        elif mistake == "decay_after_update":
            new = (p - update) * (1 - lr * weight_decay)
        else:
            new = p * (1 - lr * weight_decay) - update
        for lst, t in zip(out, (new, m, v), strict=True):
            lst.append(t)
    return out


HINTS = {
    "l2": "weight_decay * p was added to the gradient (Adam + L2): AdamW decays the weights directly",
    "no_bias_correction": "the moments are not bias-corrected: divide m by (1 - beta1**step), v by (1 - beta2**step)",
    "eps_inside": "eps is inside the square root: use sqrt(v_hat) + eps",
    "decay_without_lr": "the decay factor is (1 - weight_decay); it is (1 - lr * weight_decay)",
    "decay_after_update": "the decay was applied after the Adam update; decay the weights from before this step",
}


def step_and_compare(sub, case, params, grads, exp_avgs, exp_avg_sqs, step, label="", **hyper):
    """Send one step to the submission, compare all three returned lists; returns them (as float64)."""
    kwargs = {**DEFAULTS, **hyper}
    reply = sub.call("adamw_step", params, grads, exp_avgs, exp_avg_sqs, step, **hyper)
    n = len(params)
    assert isinstance(reply, list | tuple) and len(reply) == 3, (
        f"adamw_step returned {type(reply).__name__}"
        + (f" of length {len(reply)}" if isinstance(reply, list | tuple) else "")
        + "; expected a tuple (params, exp_avgs, exp_avg_sqs)"
    )
    for name, lst in zip(("params", "exp_avgs", "exp_avg_sqs"), reply, strict=True):
        assert isinstance(lst, list | tuple) and len(lst) == n, f"the returned {name} should be a list of {n} tensors"
    expected = reference(params, grads, exp_avgs, exp_avg_sqs, step, **kwargs)
    wrong = {k: manual(params, grads, exp_avgs, exp_avg_sqs, step, **kwargs, mistake=k) for k in HINTS}
    where = f" at step {step}" if not label else f" ({label})"
    for j, name in ((1, "exp_avgs"), (2, "exp_avg_sqs"), (0, "params")):
        for i in range(n):
            want = expected[j][i]
            distinct = {  # a mistake that makes no difference on these inputs is no explanation
                HINTS[k]: w[j][i]
                for k, w in wrong.items()
                if not torch.allclose(w[j][i], want, rtol=case.rtol, atol=case.atol)
            }
            close(reply[j][i], want, case, what=f"{name}[{i}]{where}", suspects=distinct)
    return [[t.to(torch.float64) for t in lst] for lst in reply]


def fresh(case, *shapes, scale=1.0):
    params = [case.exact(case.randn(*s, scale=scale)) for s in shapes]
    zeros = [torch.zeros(s, dtype=torch.float64) for s in shapes]
    return params, zeros, [z.clone() for z in zeros]


def grads_for(case, *shapes, scale=1.0):
    """Random signs, magnitudes in [0.25, 1.25] * scale: no gradient so close to 0 that eps dominates by chance."""
    return [case.exact(torch.sign(case.randn(*s)) * (0.25 + case.rand(*s)) * scale) for s in shapes]


def test_returns_updated_state(sub, case):
    params, m, v = fresh(case, (3,))
    step_and_compare(sub, case, params, grads_for(case, (3,)), m, v, 1)


def test_first_step(sub, case):
    shapes = ((4, 3), (5,))
    params, m, v = fresh(case, *shapes)
    step_and_compare(sub, case, params, grads_for(case, *shapes), m, v, 1)


def test_several_steps(sub, case):
    shapes = ((3, 4), (6,), (2, 2, 2))
    params, m, v = fresh(case, *shapes)
    for step in range(1, 7):
        params, m, v = step_and_compare(sub, case, params, grads_for(case, *shapes), m, v, step, lr=0.01)


def test_custom_hyperparameters(sub, case):
    shapes = ((4, 4), (3,))
    params, m, v = fresh(case, *shapes)
    hyper = {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05}
    for step in range(1, 4):
        params, m, v = step_and_compare(sub, case, params, grads_for(case, *shapes), m, v, step, **hyper)


def test_weight_decay_is_decoupled(sub, case):
    # large weights, small gradients: Adam + L2 and decoupled decay move the weights very differently
    shapes = ((5, 4),)
    params, m, v = fresh(case, *shapes, scale=3.0)
    for step in range(1, 3):
        grads = grads_for(case, *shapes, scale=0.05)
        params, m, v = step_and_compare(
            sub, case, params, grads, m, v, step, lr=0.01, betas=(0.9, 0.99), weight_decay=0.1
        )


def test_decay_before_update(sub, case):
    shapes = ((6,),)
    params, m, v = fresh(case, *shapes)
    step_and_compare(sub, case, params, grads_for(case, *shapes), m, v, 1, lr=0.1, weight_decay=0.5)


def test_no_weight_decay(sub, case):
    shapes = ((3, 3),)
    params, m, v = fresh(case, *shapes)
    for step in range(1, 3):
        params, m, v = step_and_compare(
            sub, case, params, grads_for(case, *shapes), m, v, step, lr=0.01, weight_decay=0.0
        )


def test_eps_outside_sqrt(sub, case):
    # late in training (bias corrections ~ 1) with sqrt(v_hat) comparable to eps
    shapes = ((8,),)
    params = [case.exact(case.randn(8))]
    m = [case.exact(case.randn(8, scale=1e-2))]
    v = [case.exact(case.randn(8, scale=1e-2) ** 2 + 1e-6)]
    step_and_compare(sub, case, params, grads_for(case, *shapes, scale=1e-2), m, v, 10_000, lr=0.05, eps=1e-2)


def test_resume_from_state(sub, case):
    shapes = ((4, 2), (3,))
    params = [case.exact(case.randn(*s)) for s in shapes]
    m = [case.exact(case.randn(*s, scale=0.3)) for s in shapes]
    v = [case.exact(case.randn(*s, scale=0.5) ** 2) for s in shapes]
    step = 20
    for _ in range(2):
        params, m, v = step_and_compare(sub, case, params, grads_for(case, *shapes), m, v, step, lr=0.01)
        step += 1
