"""Hidden checks for `logistic-regression`. The references run in float64 here, in the judge."""

import torch
import torch.nn.functional as F

from llmprep.grading.harness import close


def loss_reference(X, y, w, b, *, reduce="mean", form="stable"):
    z = X @ w + b
    # "pm1": the ±1-label formula applied to 0/1 labels
    per = F.softplus(-y * z) if form == "pm1" else F.softplus(z) - y * z
    return per.mean() if reduce == "mean" else per.sum()


def grad_reference(X, y, w, b, *, sign=1.0, reduce="mean"):
    residual = sign * (torch.sigmoid(X @ w + b) - y)
    scale = X.shape[0] if reduce == "mean" else 1.0
    return X.T @ residual / scale, residual.sum() / scale


def train_reference(X, y, lr, n_steps, *, update_b=True, sequential=False, record="before", sign=1.0, reduce="mean"):
    """Float64 gradient descent -> (w, b, losses); the keyword arguments produce classic mistakes."""
    w = torch.zeros(X.shape[1], dtype=torch.float64)
    b = torch.zeros((), dtype=torch.float64)
    losses = torch.zeros(n_steps, dtype=torch.float64)
    for t in range(n_steps):
        if record == "before":
            losses[t] = loss_reference(X, y, w, b)
        gw, gb = grad_reference(X, y, w, b, sign=sign, reduce=reduce)
        w = w - lr * gw
        if sequential:  # the bias gradient taken at the already-updated w
            gb = grad_reference(X, y, w, b, sign=sign, reduce=reduce)[1]
        if update_b:
            b = b - lr * gb
        if record == "after":
            losses[t] = loss_reference(X, y, w, b)
    return w, b, losses


def train_suspects(X, y, lr, n_steps, which):
    variants = {
        "the bias is never updated: b <- b - lr * grad_b too": {"update_b": False},
        "b was updated with a gradient taken after w moved; compute both gradients at the same (w, b), then update": {
            "sequential": True
        },
        "losses[t] was recorded after the update; record the loss at the parameters the step starts from": {
            "record": "after"
        },
        "gradient ASCENT: the gradient is X^T (sigmoid(z) - y) / N and the step subtracts it": {"sign": -1.0},
        "the gradient is a sum over samples; the loss is a mean, so divide by N": {"reduce": "sum"},
    }
    found = {h: train_reference(X, y, lr, n_steps, **kw)[which] for h, kw in variants.items()}
    if n_steps > 1:
        found[f"{n_steps - 1} steps were taken; take exactly n_steps = {n_steps}"] = train_reference(
            X, y, lr, n_steps - 1
        )[which]
    found[f"{n_steps + 1} steps were taken; take exactly n_steps = {n_steps}"] = train_reference(X, y, lr, n_steps + 1)[
        which
    ]
    return found


def data(case, n, d, *, scale=1.0, separable=False, noise=1.0, offset=0.0):
    X = case.exact(case.randn(n, d, scale=scale))
    w_true = case.randn(d)
    score = X @ w_true / scale + offset
    if separable:  # a margin of at least 0.2 around the true hyperplane
        keep = (score.abs() > 0.2).nonzero().flatten()
        X, score = X[keep], score[keep]
    else:
        score = score + case.randn(score.shape[0], scale=noise)
    return X, (score > 0).to(torch.float64)


def params(case, d, scale=1.0):
    return case.exact(case.randn(d, scale=scale)), case.exact(case.randn((), scale=scale))


def check_loss(sub, case, X, y, w, b, what="loss"):
    got = sub.call("logistic_loss", X, y, w, b)
    found = {
        "the loss is a sum over samples; return the mean": loss_reference(X, y, w, b, reduce="sum"),
        "softplus(-y z) is the formula for labels in {-1, +1}; with y in {0, 1} it is softplus(z) - y z": (
            loss_reference(X, y, w, b, form="pm1")
        ),
        "the sign is flipped: the loss is -log p(y), which is >= 0": -loss_reference(X, y, w, b),
    }
    assert isinstance(got, torch.Tensor), f"logistic_loss returned {type(got).__name__}, expected a 0-dim tensor"
    close(got, loss_reference(X, y, w, b), case, what=what, suspects=found)


def check_grad(sub, case, X, y, w, b):
    reply = sub.call("logistic_grad", X, y, w, b)
    assert isinstance(reply, list | tuple) and len(reply) == 2, (
        f"logistic_grad returned {type(reply).__name__}; expected a tuple (grad_w, grad_b)"
    )
    # the float64 reference comes from autograd here, independent of the closed form
    w64, b64 = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    loss_reference(X, y, w64, b64).backward()
    for which, name, want in ((0, "grad_w", w64.grad), (1, "grad_b", b64.grad)):
        found = {
            "the gradient has the wrong sign: d loss / d z = sigmoid(z) - y": grad_reference(X, y, w, b, sign=-1.0)[
                which
            ],
            "the gradient is a sum over samples; the loss is a mean, so divide by N": grad_reference(
                X, y, w, b, reduce="sum"
            )[which],
        }
        close(reply[which], want, case, what=name, suspects=found)


def check_train(sub, case, X, y, lr, n_steps, loose=1.0):
    reply = sub.call("train_logistic_regression", X, y, lr, n_steps)
    call = f"train_logistic_regression(X {tuple(X.shape)}, y, lr={lr:g}, n_steps={n_steps})"
    assert isinstance(reply, list | tuple) and len(reply) == 3, (
        f"{call} returned {type(reply).__name__}; expected a tuple (w, b, losses)"
    )
    expected = train_reference(X, y, lr, n_steps)
    for which, name in enumerate(("w", "b", "losses")):
        tol = {"what": f"{call}: {name}", "rtol": case.rtol * loose, "atol": case.atol * loose}
        try:
            close(reply[which], expected[which], case, **tol)
        except AssertionError:  # only now run the mistaken trainings, to name the mistake
            close(reply[which], expected[which], case, suspects=train_suspects(X, y, lr, n_steps, which), **tol)


def test_loss_value(sub, case):
    X, y = data(case, 40, 4)
    check_loss(sub, case, X, y, *params(case, 4))


def test_loss_is_scalar(sub, case):
    X, y = data(case, 6, 3)
    got = sub.call("logistic_loss", X, y, *params(case, 3))
    assert isinstance(got, torch.Tensor), f"logistic_loss returned {type(got).__name__}, expected a 0-dim tensor"
    assert got.dim() == 0, f"logistic_loss returned shape {tuple(got.shape)}, expected a 0-dim tensor (the mean)"


def test_loss_large_logits(sub, case):
    # |z| in the hundreds, on both sides and for both labels (confidently right AND confidently wrong)
    X, y = data(case, 32, 5)
    w, b = params(case, 5, scale=150.0)
    check_loss(sub, case, X, y, w, b, what="loss with logits in the hundreds")


def test_gradient(sub, case):
    X, y = data(case, 30, 4)
    check_grad(sub, case, X, y, *params(case, 4))


def test_gradient_large_logits(sub, case):
    X, y = data(case, 24, 3)
    check_grad(sub, case, X, y, *params(case, 3, scale=200.0))


def test_zero_steps(sub, case):
    X, y = data(case, 10, 3)
    reply = sub.call("train_logistic_regression", X, y, 0.5, 0)
    assert isinstance(reply, list | tuple) and len(reply) == 3, "expected a tuple (w, b, losses)"
    close(reply[0], torch.zeros(3, dtype=torch.float64), case, what="w after 0 steps (the start, zeros)")
    close(reply[1], torch.zeros((), dtype=torch.float64), case, what="b after 0 steps (the start, 0)")
    assert isinstance(reply[2], torch.Tensor) and tuple(reply[2].shape) == (0,), "losses must be an empty (0,) tensor"


def test_train_steps(sub, case):
    X, y = data(case, 64, 5)
    check_train(sub, case, X, y, 0.5, 25)


def test_bias_is_learned(sub, case):
    # mostly positive labels and centred features: much of the fit is in the bias
    X, y = data(case, 50, 2, offset=1.5, noise=0.5)
    check_train(sub, case, X, y, 0.8, 12)


def test_separable_data(sub, case):
    # linearly separable: the loss keeps falling and the weights keep growing; after 300 steps the logits are
    # large. Gradient descent with lr < 2/L is stable, so float32 stays close to the float64 run
    X, y = data(case, 60, 3, separable=True)
    check_train(sub, case, X, y, 1.0, 300, loose=10.0)
