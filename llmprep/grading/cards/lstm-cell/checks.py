"""Hidden checks for `lstm-cell`. The reference runs in float64 here, in the judge."""

import itertools
import math

import torch

from llmprep.grading.harness import close

GATES = "ifgo"  # PyTorch's block order of the 4H rows


def shapes(n_in, hidden, bias=True):
    found = {"weight_ih": [4 * hidden, n_in], "weight_hh": [4 * hidden, hidden]}
    if bias:
        found |= {"bias_ih": [4 * hidden], "bias_hh": [4 * hidden]}
    return found


def reference(p, x, h, c, *, order=GATES, hh_bias=True, cell="f*c+i*g", hidden="o*tanh(c_new)", act=None):
    """Float64 LSTM step -> (h_new, c_new); the keyword arguments produce classic mistakes, used as hints."""
    z = x @ p["weight_ih"].T + h @ p["weight_hh"].T
    if "bias_ih" in p:
        z = z + p["bias_ih"] + (p["bias_hh"] if hh_bias else 0.0)
    blocks = dict(zip(order, z.chunk(4, dim=-1), strict=True))
    act = act or {"i": torch.sigmoid, "f": torch.sigmoid, "g": torch.tanh, "o": torch.sigmoid}
    i, f, g, o = (act[name](blocks[name]) for name in GATES)
    c_new = {
        "f*c+i*g": f * c + i * g,
        "f*c+g": f * c + g,
        "i*c+f*g": i * c + f * g,
        "(1-f)*c+i*g": (1 - f) * c + i * g,
    }[cell]
    h_new = {"o*tanh(c_new)": o * torch.tanh(c_new), "o*c_new": o * c_new, "o*tanh(c)": o * torch.tanh(c)}[hidden]
    return h_new, c_new


def suspects(p, x, h, c, which):
    """which: 0 for h_new, 1 for c_new."""
    found = {}
    for perm in itertools.permutations(GATES):
        order = "".join(perm)
        if order == GATES:
            continue
        note = " (TensorFlow's i, j, f, o order)" if order == "igfo" else ""
        found[
            f"the 4H rows are split as ({', '.join(order)}){note}; PyTorch's order is i, f, g, o (rows 0:H, H:2H, 2H:3H, 3H:4H)"
        ] = reference(p, x, h, c, order=order)[which]
    sig = {"i": torch.sigmoid, "f": torch.sigmoid, "o": torch.sigmoid}
    found["g uses sigmoid; the cell candidate g is tanh(z_g), only i, f, o are sigmoids"] = reference(
        p, x, h, c, act=sig | {"g": torch.sigmoid}
    )[which]
    found["every gate uses tanh; i, f and o are sigmoids, only g is tanh"] = reference(
        p, x, h, c, act={k: torch.tanh for k in GATES}
    )[which]
    if "bias_hh" in p:
        found["bias_hh is not added: z = x W_ih^T + b_ih + h W_hh^T + b_hh has both biases"] = reference(
            p, x, h, c, hh_bias=False
        )[which]
    found["the input gate is missing: c_new = f * c + i * g"] = reference(p, x, h, c, cell="f*c+g")[which]
    found["i and f are swapped in the cell update: c_new = f * c + i * g (f keeps the old cell)"] = reference(
        p, x, h, c, cell="i*c+f*g"
    )[which]
    found["the forget gate is used as (1 - f): c_new = f * c + i * g"] = reference(p, x, h, c, cell="(1-f)*c+i*g")[
        which
    ]
    if which == 0:
        found["h_new = o * c_new: the cell goes through tanh first, h_new = o * tanh(c_new)"] = reference(
            p, x, h, c, hidden="o*c_new"
        )[0]
        found["h_new uses the OLD cell: h_new = o * tanh(c_new), after the update"] = reference(
            p, x, h, c, hidden="o*tanh(c)"
        )[0]
    other = reference(p, x, h, c)[1 - which]
    found["(c_new, h_new) were returned; return the tuple (h_new, c_new)"] = other
    return found


def build(sub, n_in, hidden, bias=True):
    module = sub.new("LSTMCell", n_in, hidden) if bias else sub.new("LSTMCell", n_in, hidden, bias=False)
    expected = shapes(n_in, hidden, bias)
    assert module.param_shapes == expected, f"parameters {module.param_shapes}, expected exactly {expected}"
    return module


def loaded(sub, case, n_in, hidden, bias=True, scale=None):
    module = build(sub, n_in, hidden, bias)
    params = case.params_for(shapes(n_in, hidden, bias), scale=scale)
    module.load(params)
    return module, params


def check_step(module, p, case, x, state, what="", loose=1.0):
    reply = module(x) if state is None else module(x, state)
    assert isinstance(reply, list | tuple) and len(reply) == 2, (
        f"forward returned {type(reply).__name__}; expected a tuple (h_new, c_new)"
    )
    b, hidden = x.shape[0], p["weight_hh"].shape[1]
    h, c = state if state is not None else (torch.zeros(b, hidden, dtype=torch.float64),) * 2
    expected = reference(p, x, h, c)
    for which, name in enumerate(("h_new", "c_new")):
        tol = {"what": f"{name}{what}", "rtol": case.rtol * loose, "atol": case.atol * loose}
        try:
            close(reply[which], expected[which], case, **tol)
        except AssertionError:  # only now compute the classic mistakes, to name the one made
            close(reply[which], expected[which], case, suspects=suspects(p, x, h, c, which), **tol)
    return reply


def random_state(case, b, hidden):
    return case.exact(case.randn(b, hidden, scale=0.5)), case.exact(case.randn(b, hidden))


def test_parameters(sub, case):
    build(sub, 7, 5)
    build(sub, 6, 3, bias=False)


def test_default_init(sub, case):
    hidden, n_in = 16, 40  # input_size != hidden_size: nn.Linear's default bound would be 1/sqrt(40)
    module = build(sub, n_in, hidden)
    bound = 1 / math.sqrt(hidden)
    for name in shapes(n_in, hidden):
        got = module.get(name)
        assert isinstance(got, torch.Tensor), f"{name} is {type(got).__name__}, expected a tensor"
        got = got.double()
        top, mean_abs = got.abs().max().item(), got.abs().mean().item()
        # U(-k, k): every |w| <= k; of >= 64 draws the largest |w| > 0.7k (else p < 1e-9); E|w| = k/2,
        # and the mean of >= 64 |w| stays within k/2 ± 0.2k (over 5 standard deviations)
        assert top <= bound * (1 + 1e-3), (
            f"{name} has |w| up to {top:.4g}; U(-1/sqrt(H), 1/sqrt(H)) stays within {bound:.4g}"
        )
        assert top >= 0.7 * bound, (
            f"{name} has |w| only up to {top:.4g}; U(-1/sqrt(H), 1/sqrt(H)) with H = {hidden} reaches about {bound:.4g} "
            "(note: 1/sqrt(hidden_size), for every parameter, not 1/sqrt(fan_in))"
        )
        assert abs(mean_abs - bound / 2) <= 0.2 * bound, (
            f"{name}: mean |w| = {mean_abs:.4g}, expected about {bound / 2:.4g} for U(-{bound:.4g}, {bound:.4g})"
        )


def test_one_step(sub, case):
    module, p = loaded(sub, case, 6, 5)
    x = case.exact(case.randn(3, 6))
    check_step(module, p, case, x, random_state(case, 3, 5))


def test_zero_state(sub, case):
    module, p = loaded(sub, case, 4, 6)
    x = case.exact(case.randn(2, 4))
    check_step(module, p, case, x, None, what=" with state=None (zeros)")


def test_gate_order(sub, case):
    # every gate sees a different pre-activation scale: a permuted split changes both outputs
    hidden, n_in = 4, 3
    module = build(sub, n_in, hidden)
    p = case.params_for(shapes(n_in, hidden))
    for k, shift in enumerate((1.5, -2.0, 0.5, 3.0)):  # i, f, g, o
        p["bias_ih"][k * hidden : (k + 1) * hidden] = shift
    p = {n: case.exact(t) for n, t in p.items()}
    module.load(p)
    check_step(module, p, case, case.exact(case.randn(5, n_in)), random_state(case, 5, hidden))


def test_cell_update(sub, case):
    module, p = loaded(sub, case, 5, 4)
    x = case.exact(case.randn(4, 5))
    h, _ = random_state(case, 4, 4)
    c = case.exact(case.randn(4, 4, scale=3.0))  # a large old cell: what f keeps of it matters
    check_step(module, p, case, x, (h, c))


def test_no_bias(sub, case):
    module, p = loaded(sub, case, 5, 3, bias=False)
    check_step(module, p, case, case.exact(case.randn(2, 5)), random_state(case, 2, 3), what=" (bias=False)")


def test_unrolled_sequence(sub, case):
    module, p = loaded(sub, case, 4, 5)
    xs = case.exact(case.randn(6, 2, 4))
    state = None
    h = c = torch.zeros(2, 5, dtype=torch.float64)
    for t in range(xs.shape[0]):
        reply = module(xs[t]) if state is None else module(xs[t], state)
        assert isinstance(reply, list | tuple) and len(reply) == 2, "forward must return a tuple (h_new, c_new)"
        h, c = reference(p, xs[t], h, c)
        close(
            reply[0],
            h,
            case,
            what=f"h after step {t + 1} of 6 (state fed back)",
            rtol=case.rtol * 3,
            atol=case.atol * 3,
        )
        close(
            reply[1],
            c,
            case,
            what=f"c after step {t + 1} of 6 (state fed back)",
            rtol=case.rtol * 3,
            atol=case.atol * 3,
        )
        state = (reply[0], reply[1])
        h, c = (case.exact(t_.to(torch.float64)) for t_ in state)  # continue from what the submission returned


def test_large_preactivations(sub, case):
    # |z| reaches hundreds: exp(z) overflows float32, so hand-written sigmoid/tanh from exp give inf / inf = nan
    module, p = loaded(sub, case, 8, 4, scale=3.0)
    x = case.exact(case.randn(4, 8, scale=15.0))
    check_step(module, p, case, x, random_state(case, 4, 4))


def test_batch_of_one(sub, case):
    module, p = loaded(sub, case, 3, 2)
    check_step(module, p, case, case.exact(case.randn(1, 3)), random_state(case, 1, 2))


def test_gradients(sub, case):
    n_in, hidden = 5, 4
    module, p = loaded(sub, case, n_in, hidden)
    x = case.exact(case.randn(3, n_in))
    h, c = random_state(case, 3, hidden)
    grad_out = case.exact(case.randn(3, 2 * hidden))
    out, grads = module.backward("step_cat", x, h, c, grad_out=grad_out, wrt=(0, 1, 2))
    leaves = {n: t.clone().requires_grad_(True) for n, t in p.items()}
    inputs = [t.clone().requires_grad_(True) for t in (x, h, c)]
    expected = torch.cat(reference(leaves, *inputs), dim=-1)
    expected.backward(grad_out)
    close(out, expected.detach(), case, what="step_cat output (h_new, c_new side by side)")
    tol = {"rtol": case.rtol * 10, "atol": case.atol * 10}
    for name, given, want in zip(("x", "h", "c"), grads["inputs"], inputs, strict=True):
        assert given is not None, f"no gradient reached {name}"
        close(given, want.grad, case, what=f"gradient of {name}", **tol)
    for name, leaf in leaves.items():
        assert name in grads["params"], f"no gradient reached {name}"
        close(grads["params"][name], leaf.grad, case, what=f"gradient of {name}", **tol)
