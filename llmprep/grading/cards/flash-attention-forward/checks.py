"""Hidden checks for `flash-attention-forward`. The references run in float64 here, in the judge.

How "never materialise the Tq x Tk scores" is checked: `long_sequence` and `long_keys` send inputs whose full
score matrix does not fit. On the CPU the card's memory limit (card.yaml `limits.memory_bytes`: 160 MiB on top
of the worker's own mappings) is smaller than one (Tq, Tk) float32 tensor there (256 MiB), while a
(Tq, block_size) tile takes a few MiB. `long_keys` has few queries and very many keys, so tiling only the
queries (with an exact softmax over each full row) does not fit either: the keys must be tiled. On CUDA the
address-space limit does not apply, so `long_sequence` sizes T from the device's memory (T^2 x 2 bytes exceeds
it: a full matrix in any floating dtype runs out of memory), and `long_keys` keeps its CPU sizes (there it only
checks the values).
"""

import math

import torch

from llmprep.grading.harness import close
from llmprep.grading.judge import SubmissionFailure

NEG_INF = float("-inf")


def attention(q, k, v, causal=False, *, scale=None, causal_offset=0):
    """Plain float64 attention; causal_offset shifts the diagonal (the classic off-by-one mistakes)."""
    d = q.shape[-1]
    s = q @ k.transpose(-2, -1) / (math.sqrt(d) if scale is None else scale)
    if causal:
        tq, tk = s.shape[-2:]
        s = s.masked_fill(torch.ones(tq, tk, dtype=torch.bool).triu(1 + causal_offset), NEG_INF)
    return torch.softmax(s, dim=-1) @ v


def simulate(q, k, v, causal, block, variant):
    """The online algorithm in float64 with one classic mistake (variant), to recognise it from the output."""
    tq, tk, d = q.shape[-2], k.shape[-2], q.shape[-1]
    qs = q / math.sqrt(d)
    m = torch.full(q.shape[:-1], NEG_INF, dtype=torch.float64)
    denom = torch.zeros(q.shape[:-1], dtype=torch.float64)
    acc = torch.zeros(q.shape, dtype=torch.float64)
    stop = tk - tk % block if variant == "drop_last" and tk % block else tk
    rows = torch.arange(tq)[:, None]
    for start in range(0, stop, block):
        kb, vb = k[..., start : start + block, :], v[..., start : start + block, :]
        s = qs @ kb.transpose(-2, -1)
        if causal:
            cols = torch.arange(kb.shape[-2])[None, :] + (0 if variant == "local_causal" else start)
            s = s.masked_fill(cols > rows, NEG_INF)
        m_new = torch.maximum(m, s.amax(-1))
        shift = torch.where(torch.isneginf(m_new), torch.zeros_like(m_new), m_new)
        p = torch.exp(s - shift[..., None])
        alpha = torch.exp(m - shift)
        denom = denom * alpha + p.sum(-1) if variant != "no_l_rescale" else denom + p.sum(-1)
        acc = acc * alpha[..., None] + p @ vb if variant != "no_acc_rescale" else acc + p @ vb
        m = m_new
    return acc / denom[..., None] if variant != "no_final_division" else acc


VARIANTS = {
    "no_acc_rescale": "the output accumulator is not rescaled when the max grows: acc = acc * exp(m_old - m_new) + P V",
    "no_l_rescale": "the denominator is not rescaled when the max grows: l = l * exp(m_old - m_new) + rowsum(P)",
    "drop_last": "the last, shorter tile of keys is skipped: use range(0, Tk, block_size) and slice to the end",
    "local_causal": "the causal mask uses positions inside the tile; key j of the tile is at position start + j",
    "no_final_division": "the accumulator is never normalised: return acc / l at the end",
}


def suspects(q, k, v, causal, block):
    found = {hint: simulate(q, k, v, causal, block, name) for name, hint in VARIANTS.items()}
    found["the scores are not scaled: divide q k^T by sqrt(d)"] = attention(q, k, v, causal, scale=1.0)
    if causal:
        found["the causal mask is missing: query i may only see keys j <= i"] = attention(q, k, v)
        found["the diagonal is masked: query i must also see key i (mask j > i only)"] = attention(
            q, k, v, True, causal_offset=-1
        )
    return found


def inputs(case, b, h, tq, tk, d, q_offset=0.0, k_scale=1.0):
    q = case.exact(case.randn(b, h, tq, d, offset=q_offset))
    k = case.exact(case.randn(b, h, tk, d, scale=k_scale))
    v = case.exact(case.randn(b, h, tk, d))
    return q, k, v


def run(sub, case, q, k, v, causal=False, block=16, loose=1.0):
    got = sub.call("flash_attention", q, k, v, causal=causal, block_size=block)
    close(
        got,
        attention(q, k, v, causal),
        case,
        what=f"flash_attention(Tq={q.shape[-2]}, Tk={k.shape[-2]}, causal={causal}, block_size={block})",
        suspects=suspects(q, k, v, causal, block),
        rtol=case.rtol * loose,
        atol=case.atol * loose,
    )


def test_matches_full_attention(sub, case):
    run(sub, case, *inputs(case, 2, 3, 37, 64, 16), block=16)


def test_causal(sub, case):
    run(sub, case, *inputs(case, 2, 2, 45, 45, 8), causal=True, block=8)


def test_ragged_last_block(sub, case):
    run(sub, case, *inputs(case, 1, 2, 20, 50, 8), block=16)  # 50 = 3 * 16 + 2
    run(sub, case, *inputs(case, 1, 2, 21, 21, 8), causal=True, block=8)


def test_block_size_one(sub, case):
    run(sub, case, *inputs(case, 1, 2, 6, 9, 4), block=1)
    run(sub, case, *inputs(case, 1, 1, 7, 7, 4), causal=True, block=1)


def test_block_larger_than_sequence(sub, case):
    run(sub, case, *inputs(case, 2, 1, 11, 13, 8), block=128)
    run(sub, case, *inputs(case, 1, 2, 9, 9, 8), causal=True, block=64)


def test_growing_scores(sub, case):
    # later keys are longer: every tile raises the running max, so a missing rescale shows clearly
    q, k, v = inputs(case, 1, 2, 16, 48, 8)
    k = case.exact(k * torch.linspace(0.2, 3.0, 48, dtype=torch.float64)[:, None])
    run(sub, case, q, k, v, block=8)


def test_large_logits(sub, case):
    # scores of a few hundred: exp overflows unless the running max is subtracted (looser: such scores
    # amplify the rounding of the inputs)
    q, k, v = inputs(case, 1, 2, 12, 40, 8, q_offset=6.0, k_scale=6.0)
    run(sub, case, q, k, v, block=8, loose=50.0)
    run(sub, case, q[..., :12, :], k[..., :12, :], v[..., :12, :], causal=True, block=4, loose=50.0)


def test_single_query(sub, case):
    run(sub, case, *inputs(case, 2, 2, 1, 70, 16), block=32)


def long_run(sub, case, tq, tk, d, causal, block, rows=96):
    """Full-size inputs, the reference on a sample of query rows only (plus the first and the last)."""
    q, k, v = inputs(case, 1, 1, tq, tk, d)
    try:
        got = sub.call("flash_attention", q, k, v, causal=causal, block_size=block)
    except SubmissionFailure as exc:
        if exc.status != "memory":
            raise
        raise SubmissionFailure(
            "memory",
            f"{exc.message}\nhint: out of memory with Tq={tq}, Tk={tk}: a (Tq, Tk) tensor does not fit here; "
            "build only (Tq, block_size) tiles of scores (and of the causal mask)",
        ) from None
    assert isinstance(got, torch.Tensor) and tuple(got.shape) == (1, 1, tq, d), (
        f"returned {type(got).__name__} {tuple(getattr(got, 'shape', ()))}, expected a tensor (1, 1, {tq}, {d})"
    )
    picked = torch.cat([torch.tensor([0, tq - 1]), case.randint(0, tq, (rows,))]).unique()
    want = torch.empty(len(picked), d, dtype=torch.float64)
    for i, row in enumerate(picked.tolist()):
        end = row + 1 if causal else tk
        s = q[0, 0, row] @ k[0, 0, :end].T / math.sqrt(d)
        want[i] = torch.softmax(s, dim=-1) @ v[0, 0, :end]
    close(got[0, 0, picked], want, case, what=f"rows {picked.tolist()[:6]}... of the output (Tq={tq}, Tk={tk})")


def device_sized_length(device):
    """On CUDA: a T whose T x T half-precision scores exceed the device's memory (rounded to 1024)."""
    total = torch.cuda.get_device_properties(torch.device(device)).total_memory
    return int(math.ceil(math.sqrt(1.1 * total / 2) / 1024) * 1024)


def test_long_sequence(sub, case, device):
    if device == "cpu":
        long_run(sub, case, 8192, 8192, 16, causal=True, block=128)  # full fp32 scores: 256 MiB > limit
    else:
        t = device_sized_length(device)
        long_run(sub, case, t, t, 8, causal=True, block=1024)


def test_long_keys(sub, case):
    # 256 queries, 2^18 keys: one (256, Tk) float32 tensor is 256 MiB, one (256, 256) tile 256 KiB
    long_run(sub, case, 256, 1 << 18, 4, causal=False, block=256, rows=48)
