"""Hidden checks for `speculative-decoding`. Frequencies are compared with float64 probabilities computed here.

The judge draws each row's draft token from q (seeded), the submission accepts or resamples, and the checks
count what comes back. Every frequency is compared with its probability using Bernstein's inequality,
union-bounded over all compared cells, so a correct step fails a check with probability below DELTA for any
seed; inputs are drawn until every classic mistake's distribution is separated from the right one by more
than both half-widths, so those mistakes fail with probability above 1 - DELTA.
"""

import math

import torch

DELTA = 1e-9
ROWS = 100_000


def half_width(n, probs, cells):
    log_term = math.log(2 * cells / DELTA)
    var = probs * (1 - probs)
    return (log_term / 3 + torch.sqrt(log_term**2 / 9 + 2 * n * var * log_term)) / n


def separated(probs, wrong, n):
    cells = probs.numel()
    return bool(((probs - wrong).abs() > half_width(n, probs, cells) + half_width(n, wrong, cells)).any())


def outcome(p, q, accept, residual):
    """Joint law of (accepted, token) for a step that accepts draft x with probability accept[x] and otherwise
    samples norm(residual): a (2, V) tensor, row 0 = accepted, row 1 = rejected."""
    acc = q * accept
    rejected_mass = 1 - acc.sum()
    res = residual / residual.sum() if residual.sum() > 0 else torch.zeros_like(residual)
    return torch.stack([acc, rejected_mass * res])


def right(p, q):
    return outcome(p, q, (p / q).clamp(max=1.0), (p - q).clamp_min(0))


def mistakes(p, q):
    """Joint laws of classic mistakes, keyed by the hint that names them."""
    with torch.no_grad():
        ratio = (p / q).clamp(max=1.0)
        return {
            "every draft token was accepted: accept x with probability min(1, p(x)/q(x))": outcome(
                p, q, torch.ones_like(p), torch.zeros_like(p)
            ),
            "the acceptance ratio is upside down: accept with probability min(1, p(x)/q(x)), target over draft": (
                outcome(p, q, (q / p).clamp(max=1.0), (p - q).clamp_min(0))
            ),
            "the acceptance probability is p(x); it is min(1, p(x)/q(x))": outcome(p, q, p, (p - q).clamp_min(0)),
            "a draft token was accepted only when p(x) >= q(x): accept with probability p(x)/q(x) otherwise": outcome(
                p, q, (p >= q).double(), (p - q).clamp_min(0)
            ),
            "after a rejection the token was drawn from p: draw it from norm(max(0, p − q))": outcome(p, q, ratio, p),
            "after a rejection the token was drawn from q: draw it from norm(max(0, p − q))": outcome(p, q, ratio, q),
            "the residual is max(0, q − p); it is max(0, p − q), what the target has in excess": outcome(
                p, q, ratio, (q - p).clamp_min(0)
            ),
        }


def pick_pair(case, v, n, scale=1.2):
    """(p, q) rounded to the grading dtype, far apart enough for every mistake to show in n rows."""
    pair = None
    for _ in range(200):
        p = case.exact(torch.softmax(case.randn(v, scale=scale), -1))
        q = case.exact(torch.softmax(case.randn(v, scale=scale), -1))
        p, q = p / p.sum(), q / q.sum()
        pair = (p, q)
        law = right(p, q)
        if all(separated(law, w, n) and separated(law.sum(0), w.sum(0), n) for w in mistakes(p, q).values()):
            return pair
    return pair


def draw_drafts(case, q_rows):
    return torch.multinomial(q_rows, 1, replacement=True, generator=case.generator).squeeze(-1)


def step(sub, case, p_rows, q_rows, draft, seed=None):
    seed = int(case.randint(0, 2**31 - 1, (1,))) if seed is None else seed
    reply = sub.call("speculative_step_seeded", p_rows, q_rows, draft, seed)
    b, v = p_rows.shape
    if not (isinstance(reply, list | tuple) and len(reply) == 2):
        raise AssertionError(f"speculative_step returned {type(reply).__name__}; expected (tokens, accepted)")
    tokens, accepted = reply
    for name, value in (("tokens", tokens), ("accepted", accepted)):
        if not isinstance(value, torch.Tensor) or tuple(value.shape) != (b,):
            got = f"shape {tuple(value.shape)}" if isinstance(value, torch.Tensor) else type(value).__name__
            raise AssertionError(f"{name}: expected a tensor of shape ({b},), got {got}")
    if tokens.dtype.is_floating_point or tokens.dtype == torch.bool:
        raise AssertionError(f"tokens has dtype {tokens.dtype}; expected int64 token ids")
    if accepted.dtype != torch.bool:
        raise AssertionError(f"accepted has dtype {accepted.dtype}; expected a bool tensor")
    tokens = tokens.long()
    if tokens.min() < 0 or tokens.max() >= v:
        raise AssertionError(f"tokens in [{int(tokens.min())}, {int(tokens.max())}], outside [0, {v})")
    kept = accepted & (tokens != draft)
    if kept.any():
        row = int(kept.nonzero()[0])
        raise AssertionError(
            f"row {row} is marked accepted but returns token {int(tokens[row])}, not its draft token "
            f"{int(draft[row])}: an accepted row returns the draft token"
        )
    return tokens, accepted


def joint_counts(tokens, accepted, v):
    counts = torch.zeros(2, v, dtype=torch.float64)
    counts[0] = torch.bincount(tokens[accepted], minlength=v).double()
    counts[1] = torch.bincount(tokens[~accepted], minlength=v).double()
    return counts


def compare(freq, law, n, what, found, cells):
    width = half_width(n, law, cells)
    off = (freq - law).abs() > width
    if not off.any():
        return
    hint = ""
    for text, wrong in found.items():
        if ((freq - wrong).abs() <= half_width(n, wrong, cells)).all():
            hint = f"\nhint: {text}"
            break
    flat = ((freq - law).abs() / width).argmax()
    idx = tuple(int(i) for i in torch.unravel_index(flat, law.shape)) if law.dim() else ()
    raise AssertionError(
        f"{what}: {int(off.sum())} of {off.numel()} frequencies are off; worst at {list(idx)}: {freq[idx]:.4f} over "
        f"{n} rows, expected {law[idx]:.4f} ± {width[idx]:.4f} (a correct step is within that with probability "
        f"> 1 - {DELTA:g}); got {[round(x, 4) for x in freq.flatten().tolist()]}, expected "
        f"{[round(x, 4) for x in law.flatten().tolist()]}" + hint
    )


def test_returns_tokens_and_flags(sub, case):
    p, q = pick_pair(case, 5, 1000)
    draft = draw_drafts(case, q.expand(7, -1))
    step(sub, case, p.expand(7, -1).contiguous(), q.expand(7, -1).contiguous(), draft)


def test_output_distribution(sub, case):
    v = 6
    p, q = pick_pair(case, v, ROWS)
    draft = draw_drafts(case, q.expand(ROWS, -1))
    tokens, _ = step(sub, case, p.expand(ROWS, -1).contiguous(), q.expand(ROWS, -1).contiguous(), draft)
    freq = torch.bincount(tokens, minlength=v).double() / ROWS
    found = {text: wrong.sum(0) for text, wrong in mistakes(p, q).items()}
    compare(freq, p, ROWS, "distribution of the returned tokens (must equal p)", found, v)


def test_acceptance_rate(sub, case):
    v = 6
    p, q = pick_pair(case, v, ROWS)
    draft = draw_drafts(case, q.expand(ROWS, -1))
    _, accepted = step(sub, case, p.expand(ROWS, -1).contiguous(), q.expand(ROWS, -1).contiguous(), draft)
    rate = torch.tensor(accepted.double().mean().item(), dtype=torch.float64)
    beta = torch.minimum(p, q).sum()  # Leviathan et al. 2023, §3: the expected acceptance rate
    found = {text: wrong[0].sum() for text, wrong in mistakes(p, q).items()}
    compare(rate, beta, ROWS, "acceptance rate (must be Σ_x min(p(x), q(x)))", found, 1)


def test_residual_distribution(sub, case):
    v = 6
    p, q = pick_pair(case, v, ROWS)
    draft = draw_drafts(case, q.expand(ROWS, -1))
    tokens, accepted = step(sub, case, p.expand(ROWS, -1).contiguous(), q.expand(ROWS, -1).contiguous(), draft)
    rejected_tokens = tokens[~accepted]
    bad = (p <= q)[rejected_tokens]
    if bad.any():
        tok = int(rejected_tokens[bad][0])
        raise AssertionError(
            f"a rejected row returned token {tok}, where p = {p[tok]:.4f} <= q = {q[tok]:.4f}: after a rejection "
            "only tokens with p > q can be drawn (the residual max(0, p − q) is 0 elsewhere)"
            + (
                "\nhint: after a rejection the token was drawn from p: draw it from norm(max(0, p − q))"
                if (p > 0).all()
                else ""
            )
        )
    freq = joint_counts(tokens, accepted, v) / ROWS
    compare(
        freq,
        right(p, q),
        ROWS,
        "joint frequencies of (accepted?, token): row 0 accepted, row 1 rejected",
        mistakes(p, q),
        2 * v,
    )


def test_equal_distributions(sub, case):
    # half the rows have p == q: always accepted, with an all-zero residual that must not crash the others
    v, b = 8, 2000
    p, q = pick_pair(case, v, 1000)
    p_rows = torch.where(torch.arange(b)[:, None] % 2 == 0, q, p)
    q_rows = q.expand(b, -1).contiguous()
    draft = draw_drafts(case, q_rows)
    _, accepted = step(sub, case, p_rows, q_rows, draft)
    same = torch.arange(b) % 2 == 0
    if not accepted[same].all():
        row = int((same & ~accepted).nonzero()[0])
        raise AssertionError(f"row {row} has p == q but was rejected: min(1, p(x)/q(x)) = 1 accepts every such row")


def test_zero_target_probability(sub, case):
    # the draft proposes tokens the target rules out (p(x) = 0): always rejected
    v, b = 7, 4000
    p, q = pick_pair(case, v, 1000)
    banned = torch.randperm(v, generator=case.generator)[:3]
    p = p.clone()
    p[banned] = 0.0
    p = case.exact(p / p.sum())
    draft = draw_drafts(case, q.expand(b, -1))
    tokens, accepted = step(sub, case, p.expand(b, -1).contiguous(), q.expand(b, -1).contiguous(), draft)
    # torch.rand returns exactly 0.0 with probability 2^-24: a `u <= p/q` test may accept one such row
    slack = 2
    zero_rows = p[draft] == 0
    wrongly = int((zero_rows & accepted).sum())
    if wrongly > slack:
        raise AssertionError(
            f"{wrongly} of {int(zero_rows.sum())} rows whose draft token has p(x) = 0 were accepted; min(1, 0/q) = 0 "
            "rejects them all"
        )
    leaked = int((p[tokens] == 0).sum())
    if leaked > slack:
        raise AssertionError(f"{leaked} rows returned a token with p = 0: every returned token must be drawn from p")


def test_one_hot_draft(sub, case):
    # a greedy draft model: q is one-hot at its token, accepted with probability p(x)
    v = 6
    p, _ = pick_pair(case, v, ROWS)
    x = int(case.randint(0, v, (1,)))
    q = torch.zeros(v, dtype=torch.float64)
    q[x] = 1.0
    draft = torch.full((ROWS,), x, dtype=torch.long)
    tokens, accepted = step(sub, case, p.expand(ROWS, -1).contiguous(), q.expand(ROWS, -1).contiguous(), draft)
    freq = joint_counts(tokens, accepted, v) / ROWS
    compare(
        freq,
        right(p, q),
        ROWS,
        f"joint frequencies of (accepted?, token), q one-hot at token {x}",
        mistakes(p, q),
        2 * v,
    )


def test_rows_are_independent(sub, case):
    # four different (p, q) pairs interleaved row by row: every row uses its own p and q
    v, pairs = 6, 4
    chosen = [pick_pair(case, v, ROWS // pairs) for _ in range(pairs)]
    which = torch.arange(ROWS) % pairs
    p_rows = torch.stack([chosen[i][0] for i in range(pairs)])[which]
    q_rows = torch.stack([chosen[i][1] for i in range(pairs)])[which]
    draft = draw_drafts(case, q_rows)
    tokens, accepted = step(sub, case, p_rows, q_rows, draft)
    for i, (p, q) in enumerate(chosen):
        rows = which == i
        n = int(rows.sum())
        freq = joint_counts(tokens[rows], accepted[rows], v) / n
        compare(
            freq,
            right(p, q),
            n,
            f"pair {i} of {pairs} (rows {i}, {i + pairs}, ...): joint frequencies",
            mistakes(p, q),
            2 * v * pairs,
        )


def test_seeded(sub, case):
    v, b = 6, 3000
    p, q = pick_pair(case, v, 1000)
    p_rows, q_rows = p.expand(b, -1).contiguous(), q.expand(b, -1).contiguous()
    draft = draw_drafts(case, q_rows)
    seed = int(case.randint(0, 2**31 - 1, (1,)))
    first = step(sub, case, p_rows, q_rows, draft, seed)
    again = step(sub, case, p_rows, q_rows, draft, seed)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True)), (
        "the same seed gave different results: draw all randomness from `generator`, not the global random state"
    )
    other = step(sub, case, p_rows, q_rows, draft, seed + 1)
    assert not all(torch.equal(a, b) for a, b in zip(first, other, strict=True)), (
        "different seeds gave identical results: use the generator that is passed in"
    )
