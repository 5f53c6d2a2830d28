"""Hidden checks for `online-softmax`. The references run in float64 here, in the judge.

The chunks reach the submission one `update` at a time, so the one-pass property holds by construction;
`state()` is compared with the exact (max, sum of exp(x - max)) of everything sent so far after every update.
"""

import itertools

import torch

from llmprep.grading.harness import close

NEG_INF = float("-inf")


def exact_state(seen):
    """(m, d) of the values seen, float64; m = -inf and d = 0 for rows with nothing finite."""
    m = seen.amax(dim=-1)
    shift = torch.where(torch.isneginf(m), torch.zeros_like(m), m)
    return m, torch.exp(seen - shift[..., None]).sum(dim=-1)


def simulate(chunks, variant):
    """The running (m, d) a classic mistake would report after each chunk (float64)."""
    states, m, d = [], None, None
    for chunk in chunks:
        cm = chunk.amax(dim=-1)
        if m is None:
            m, d = torch.full_like(cm, NEG_INF), torch.zeros_like(cm)
        m_new = torch.maximum(m, cm)
        old, new = (torch.where(torch.isneginf(t), torch.zeros_like(t), t) for t in (m, m_new))
        if variant == "no_rescale":
            d = d + torch.exp(chunk - new[..., None]).sum(-1)
        elif variant == "inverted_rescale":
            d = d * torch.exp(new - old) + torch.exp(chunk - new[..., None]).sum(-1)
        elif variant == "chunk_max":
            d = d * torch.exp(old - new) + torch.exp(chunk - cm[..., None]).sum(-1)
        elif variant == "first_max":  # the max of the first chunk is kept forever
            m_new = torch.where(torch.isneginf(m), cm, m)
        m = m_new
        states.append((m.clone(), d.clone()))
    return states


HINTS = {
    "no_rescale": "when the max grows, the old sum was taken against the old max: multiply d by exp(m_old - m_new)",
    "inverted_rescale": "the rescale factor is upside down: d_old * exp(m_old - m_new), which is <= 1",
    "chunk_max": "the new terms use the chunk's own max; take them against the running max: exp(x - m_new)",
}
M_HINTS = {"first_max": "the running max is not updated after the first chunk: m_new = max(m_old, max(chunk))"}


NAN_HINT = "exp(-inf - (-inf)) is nan: while m is still -inf, subtract 0 instead of m (torch.where)"


def close_state(got, want, case, what, suspects=None, loose=1.0, m_suspects=None):
    """Compare a (m, d) pair where m may be -inf (then d must be exactly 0); suspects: {hint: wrong d}."""
    assert isinstance(got, list | tuple) and len(got) == 2, (
        f"{what}: returned {type(got).__name__}; expected a tuple (m, d)"
    )
    want_m, want_d = want
    for name, value in zip("md", got, strict=True):
        assert isinstance(value, torch.Tensor), f"{what}: {name} is {type(value).__name__}, expected a tensor"
        assert tuple(value.shape) == tuple(want_m.shape), (
            f"{what}: {name} has shape {tuple(value.shape)}, expected {tuple(want_m.shape)} (the leading dims)"
        )
    m, d = (value.double() for value in got)
    empty = torch.isneginf(want_m)
    bad = torch.isnan(m) | torch.isnan(d)
    if bad.any():
        row = [int(i) for i in bad.nonzero()[0]]
        raise AssertionError(
            f"{what}: nan in the state at {row} (m = {m[tuple(row)].item()}, d = {d[tuple(row)].item()})"
            + (f"\nhint: {NAN_HINT}" if empty.any() or torch.isneginf(m).any() else "")
        )
    if not torch.equal(torch.isneginf(m), empty):
        row = [int(i) for i in (torch.isneginf(m) != empty).nonzero()[0]]
        raise AssertionError(f"{what}: m at {row} is {m[tuple(row)].item()}, expected {want_m[tuple(row)].item()}")
    if empty.any() and not (d[empty] == 0).all():
        raise AssertionError(f"{what}: d must be exactly 0 in rows whose values are all -inf so far")
    tol = {"rtol": case.rtol * loose, "atol": case.atol * loose}
    wrong_m = {hint: value[~empty] for hint, value in (m_suspects or {}).items()}
    close(m[~empty], want_m[~empty], case, what=f"{what}: m", suspects=wrong_m, **tol)
    wrong = {hint: value[~empty] for hint, value in (suspects or {}).items()}
    close(d[~empty], want_d[~empty], case, what=f"{what}: d", suspects=wrong, **tol)


def stream(sub, case, x, sizes, loose=1.0):
    """Feed x's columns to a fresh OnlineSoftmax in chunks of `sizes`; check the state after each one."""
    assert sum(sizes) == x.shape[-1]
    x = case.exact(x)
    chunks, start = [], 0
    for size in sizes:
        chunks.append(x[..., start : start + size])
        start += size
    wrong = {v: simulate(chunks, v) for v in (*HINTS, *M_HINTS)}
    stats = sub.new("OnlineSoftmax")
    start = 0
    for i, chunk in enumerate(chunks):
        stats.method("update", chunk)
        start += chunk.shape[-1]
        want = exact_state(x[..., :start])
        suspects = {HINTS[v]: wrong[v][i][1] for v in HINTS}
        m_suspects = {M_HINTS[v]: wrong[v][i][0] for v in M_HINTS}
        close_state(
            stats.method("state"),
            want,
            case,
            f"after chunk {i + 1} of {len(chunks)} (columns 0..{start - 1})",
            suspects,
            loose,
            m_suspects,
        )


def split(case, n, pieces):
    """`pieces` positive chunk sizes summing to n, at random."""
    cuts = sorted(torch.randperm(n - 1, generator=case.generator)[: pieces - 1].add(1).tolist())
    edges = [0, *cuts, n]
    return [b - a for a, b in itertools.pairwise(edges)]


def test_state_after_each_chunk(sub, case):
    stream(sub, case, case.randn(3, 4, 37, scale=2.0), split(case, 37, 5))


def test_single_chunk(sub, case):
    stream(sub, case, case.randn(5, 16, scale=3.0), [16])


def test_chunks_of_one(sub, case):
    stream(sub, case, case.randn(4, 9, scale=2.0), [1] * 9)  # Algorithm 3 of the paper, element by element


def test_growing_max(sub, case):
    # every chunk holds a new maximum: each update must rescale the old sum
    x = case.randn(3, 24).sort(dim=-1).values * 3.0 + torch.linspace(0, 12, 24, dtype=torch.float64)
    stream(sub, case, x, [4, 6, 3, 5, 6])


def test_large_values(sub, case):
    # exp(1000) overflows: only differences to the running max may be exponentiated
    x = case.randn(3, 30, scale=5.0, offset=1000.0)
    x[1] -= 2000.0  # a row near -1000 too: exp underflows to 0 without the shift
    stream(sub, case, x, [7, 8, 15], loose=20.0)


def test_masked_first_chunk(sub, case):
    x = case.randn(4, 12, scale=2.0)
    x[:2, :5] = NEG_INF  # rows 0 and 1: the first chunk is entirely masked
    x[0, 5:9] = NEG_INF  # row 0: the second chunk too
    stream(sub, case, x, [5, 4, 3])


def test_masked_entries(sub, case):
    x = case.randn(3, 20, scale=2.0)
    x[case.rand(3, 20) < 0.3] = NEG_INF
    x[:, 0] = 0.5  # every row has a finite value
    stream(sub, case, x, [6, 6, 8])


def test_leading_dims(sub, case):
    stream(sub, case, case.randn(2, 3, 4, 10, scale=2.0), [3, 3, 4])


def merge_case(sub, case, a, b):
    a, b = case.exact(a), case.exact(b)
    (m_a, d_a), (m_b, d_b) = exact_state(a), exact_state(b)
    got = sub.call("merge", m_a, d_a, m_b, d_b)
    want = exact_state(torch.cat([a, b], dim=-1))
    wrong = {"the parts were added without rescaling: d = d_a * exp(m_a - m) + d_b * exp(m_b - m)": d_a + d_b}
    close_state(got, want, case, "merge", wrong)


def test_merge_states(sub, case):
    a = case.randn(4, 6, scale=3.0, offset=2.0)
    b = case.randn(4, 9, scale=3.0)
    merge_case(sub, case, a, b)
    merge_case(sub, case, b, a)  # ⊕ is commutative


def test_merge_empty_part(sub, case):
    a = case.randn(3, 5, scale=2.0)
    b = case.randn(3, 7, scale=2.0)
    a[0] = NEG_INF  # row 0: part a is empty
    b[1] = NEG_INF  # row 1: part b is empty
    a[2] = NEG_INF
    b[2] = NEG_INF  # row 2: both empty -> (-inf, 0)
    merge_case(sub, case, a, b)


def softmax_case(sub, case, x, chunk, loose=1.0):
    x = case.exact(x)
    got = sub.call("online_softmax", x, chunk)
    want = torch.softmax(x, dim=-1)
    chunk_local = torch.cat(
        [torch.softmax(x[..., s : s + chunk], dim=-1) for s in range(0, x.shape[-1], chunk)], dim=-1
    )
    close(
        got,
        want,
        case,
        what=f"online_softmax(x of shape {tuple(x.shape)}, chunk_size={chunk})",
        suspects={"each chunk was normalised on its own: divide every chunk by the row's total d": chunk_local},
        rtol=case.rtol * loose,
        atol=case.atol * loose,
    )


def test_softmax_output(sub, case):
    x = case.randn(4, 29, scale=3.0)
    x[0, 3] = NEG_INF
    softmax_case(sub, case, x, 8)  # 29 = 3 * 8 + 5: the last chunk is shorter


def test_softmax_chunk_sizes(sub, case):
    x = case.randn(2, 3, 13, scale=2.0)
    for chunk in (1, 13, 50):
        softmax_case(sub, case, x, chunk)


def test_softmax_large_values(sub, case):
    x = case.randn(3, 40, scale=10.0, offset=1000.0)
    softmax_case(sub, case, x, 7, loose=20.0)
