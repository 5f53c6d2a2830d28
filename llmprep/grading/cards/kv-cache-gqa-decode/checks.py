"""Hidden checks for `kv-cache-gqa-decode`. The reference is full causal attention over the whole sequence,
in float64, here in the judge."""

import math

import torch

from llmprep.grading.harness import close


def expand(kv, n_rep, layout="interleave"):
    """(B, H_kv, L, d) -> (B, H, L, d): query head h uses KV head h // n_rep (repeat_interleave)."""
    return kv.repeat_interleave(n_rep, dim=1) if layout == "interleave" else kv.repeat(1, n_rep, 1, 1)


def full_attention(q, k, v, *, layout="interleave", scale=None, softmax_dim=-1):
    """Causal GQA over a whole sequence: q (B, H, L, d), k and v (B, H_kv, L, d) -> (B, H, L, d)."""
    h, h_kv, length, d = q.shape[1], k.shape[1], q.shape[2], q.shape[3]
    n_rep = h // h_kv
    k, v = expand(k, n_rep, layout), expand(v, n_rep, layout)
    scores = q @ k.transpose(-2, -1) / (math.sqrt(d) if scale is None else scale)
    mask = torch.ones(length, length, dtype=torch.bool).triu(1)
    scores = scores.masked_fill(mask, float("-inf"))
    if softmax_dim == -1:
        weights = torch.softmax(scores, dim=-1)
    else:  # the classic axis mistake, on the decode row: normalise over heads
        weights = torch.softmax(scores, dim=1).masked_fill(mask, 0.0)
    return weights @ v


def step_suspects(q_all, k_all, v_all):
    """Outputs of the last position for classic mistakes."""
    h, h_kv, d = q_all.shape[1], k_all.shape[1], q_all.shape[3]
    found = {}
    if h_kv > 1:
        found[
            "KV heads are tiled (k.repeat) instead of grouped: query head h uses KV head h // n_rep, i.e. "
            "repeat_interleave(n_rep, dim=1)"
        ] = full_attention(q_all, k_all, v_all, layout="tile")[:, :, -1:]
    found["the scores are not scaled: divide q·k by sqrt(d)"] = full_attention(q_all, k_all, v_all, scale=1.0)[
        :, :, -1:
    ]
    found["the scores are scaled by sqrt(H·d); scale by sqrt(d), the head size"] = full_attention(
        q_all, k_all, v_all, scale=math.sqrt(h * d)
    )[:, :, -1:]
    found["softmax over the wrong axis: normalise over the key positions (dim=-1)"] = full_attention(
        q_all, k_all, v_all, softmax_dim=1
    )[:, :, -1:]
    if q_all.shape[2] > 1:
        # attending to the cache only, before appending the new key and value
        found["the new token does not attend to itself: append k_new, v_new to the cache BEFORE attending"] = (
            _cache_only(q_all, k_all, v_all)
        )
    return found


def _cache_only(q_all, k_all, v_all):
    """The last query attending to the earlier positions only."""
    h, h_kv, d = q_all.shape[1], k_all.shape[1], q_all.shape[3]
    k, v = expand(k_all[:, :, :-1], h // h_kv), expand(v_all[:, :, :-1], h // h_kv)
    weights = torch.softmax(q_all[:, :, -1:] @ k.transpose(-2, -1) / math.sqrt(d), dim=-1)
    return weights @ v


def sequence(case, b, h, h_kv, length, d, scale=1.0):
    q = case.exact(case.randn(b, h, length, d, scale=scale))
    k = case.exact(case.randn(b, h_kv, length, d, scale=scale))
    v = case.exact(case.randn(b, h_kv, length, d))
    return q, k, v


def check_cache(got, want, name, h):
    assert isinstance(got, torch.Tensor), f"the returned {name} cache is {type(got).__name__}, expected a tensor"
    if tuple(got.shape) != tuple(want.shape):
        extra = ""
        if got.dim() == 4 and got.shape[1] == h and h != want.shape[1]:
            extra = f" (it holds the {h} repeated heads; the cache stores only the {want.shape[1]} KV heads)"
        elif got.dim() == 4 and got.shape[2] == want.shape[2] - 1:
            extra = " (the new token was not appended)"
        raise AssertionError(
            f"the returned {name} cache has shape {tuple(got.shape)}, expected {tuple(want.shape)}{extra}"
        )
    if not torch.equal(got.to(torch.float64), want):
        raise AssertionError(
            f"the returned {name} cache differs from cat((cache, new), dim=2) (it must hold the keys/values "
            "exactly as given, old ones first)"
        )


def decode(sub, case, q_all, k_all, v_all, prefix, what=""):
    """Cache = the first `prefix` positions, then one step for the token at position `prefix`."""
    t = prefix
    reply = sub.call(
        "gqa_decode_step",
        q_all[:, :, t : t + 1],
        k_all[:, :, t : t + 1],
        v_all[:, :, t : t + 1],
        k_all[:, :, :t],
        v_all[:, :, :t],
    )
    assert isinstance(reply, list | tuple) and len(reply) == 3, (
        f"gqa_decode_step returned {type(reply).__name__}; expected a tuple (out, k_cache, v_cache)"
    )
    q_seen, k_seen, v_seen = q_all[:, :, : t + 1], k_all[:, :, : t + 1], v_all[:, :, : t + 1]
    expected = full_attention(q_seen, k_seen, v_seen)[:, :, -1:]
    h, h_kv = q_all.shape[1], k_all.shape[1]
    call = f"gqa_decode_step with H={h}, H_kv={h_kv}, a cache of {t} tokens{what}"
    close(reply[0], expected, case, what=f"{call}: out", suspects=step_suspects(q_seen, k_seen, v_seen))
    check_cache(reply[1], k_seen, "k", h)
    check_cache(reply[2], v_seen, "v", h)
    return reply


def test_single_step(sub, case):
    q, k, v = sequence(case, 2, 8, 2, 8, 16)
    decode(sub, case, q, k, v, 7)


def test_returned_cache(sub, case):
    q, k, v = sequence(case, 1, 4, 2, 5, 8)
    reply = sub.call("gqa_decode_step", q[:, :, 4:], k[:, :, 4:], v[:, :, 4:], k[:, :, :4], v[:, :, :4])
    assert isinstance(reply, list | tuple) and len(reply) == 3, "expected a tuple (out, k_cache, v_cache)"
    check_cache(reply[1], k, "k", 4)
    check_cache(reply[2], v, "v", 4)


def test_kv_head_grouping(sub, case):
    # H = 6, H_kv = 3: query heads 0, 1 use KV head 0; 2, 3 use KV head 1; 4, 5 use KV head 2
    q, k, v = sequence(case, 2, 6, 3, 6, 8)
    decode(sub, case, q, k, v, 5)


def test_multi_query(sub, case):
    # H_kv = 1 (MQA): one KV head shared by every query head
    q, k, v = sequence(case, 2, 4, 1, 5, 8)
    decode(sub, case, q, k, v, 4)


def test_group_sizes(sub, case):
    for h, h_kv in ((12, 4), (4, 2), (8, 8)):
        q, k, v = sequence(case, 1, h, h_kv, 4, 8)
        decode(sub, case, q, k, v, 3, what=f" (n_rep = {h // h_kv})")


def test_empty_cache(sub, case):
    # T = 0: the first token attends only to itself, so out is its own value (per KV group)
    q, k, v = sequence(case, 2, 4, 2, 1, 8)
    decode(sub, case, q, k, v, 0, what=" (empty: T = 0)")


def test_decode_loop(sub, case):
    # token by token from an empty cache, feeding the returned cache back: every output equals full causal
    # attention over the prefix, and the final cache is the whole sequence
    b, h, h_kv, length, d = 2, 6, 2, 7, 8
    q, k, v = sequence(case, b, h, h_kv, length, d)
    full = full_attention(q, k, v)
    k_cache = torch.zeros(b, h_kv, 0, d, dtype=torch.float64)
    v_cache = torch.zeros(b, h_kv, 0, d, dtype=torch.float64)
    for t in range(length):
        reply = sub.call(
            "gqa_decode_step", q[:, :, t : t + 1], k[:, :, t : t + 1], v[:, :, t : t + 1], k_cache, v_cache
        )
        assert isinstance(reply, list | tuple) and len(reply) == 3, "expected a tuple (out, k_cache, v_cache)"
        close(
            reply[0],
            full[:, :, t : t + 1],
            case,
            what=f"out at step {t} of the decode loop (vs full causal attention)",
            suspects=step_suspects(q[:, :, : t + 1], k[:, :, : t + 1], v[:, :, : t + 1]),
        )
        check_cache(reply[1], k[:, :, : t + 1], "k", h)
        check_cache(reply[2], v[:, :, : t + 1], "v", h)
        k_cache, v_cache = reply[1], reply[2]


def test_large_scores(sub, case):
    # scores in the hundreds: exp() overflows unless the softmax subtracts the row max (torch.softmax does)
    q, k, v = sequence(case, 1, 4, 2, 6, 16, scale=10.0)
    # such scores amplify the rounding of q and k: compare against the same inputs with a looser tolerance
    t = 5
    reply = sub.call("gqa_decode_step", q[:, :, t:], k[:, :, t:], v[:, :, t:], k[:, :, :t], v[:, :, :t])
    assert isinstance(reply, list | tuple) and len(reply) == 3, "expected a tuple (out, k_cache, v_cache)"
    close(
        reply[0],
        full_attention(q, k, v)[:, :, -1:],
        case,
        what="out with scores in the hundreds",
        rtol=case.rtol * 20,
        atol=case.atol * 20,
    )
