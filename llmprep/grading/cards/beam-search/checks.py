"""Hidden checks for `beam-search`. The reference search runs in float64 here, in the judge.

The toy model is a table (max_len, V, V) of log-probs: the next token's distribution depends on the prefix
length and its last token. The submission gets the table through the template's `run_beam_search`, which
wraps it as `next_log_probs`. Tables are drawn until no two candidates the search compares are closer than
MARGIN, so float32 rounding cannot reorder them.
"""

from itertools import pairwise

import torch

from llmprep.grading.harness import close

MARGIN = 1e-3  # scores are accumulated in float32 or float64 (the template says so), whatever the table's dtype


def search(
    table,
    bos,
    eos,
    k,
    max_len,
    alpha,
    *,
    rank="sum",
    eos_any_rank=False,
    penalty="gnmt",
    count_eos=True,
    early_stop=True,
    copies=1,
    backpointer=True,
    flush=True,
    order="final",
    gaps=None,
):
    """Float64 beam search as the template specifies; the keyword arguments produce classic mistakes."""
    vocab = table.shape[-1]

    def final(tokens, s):
        n = len(tokens) - (1 if (not count_eos and tokens and tokens[-1] == eos) else 0)
        if penalty == "gnmt":
            lp = ((5 + n) / 6) ** alpha
        elif penalty == "power":
            lp = max(n, 1) ** alpha
        else:
            lp = 1.0
        return s / lp

    alive = [([], 0.0)] * copies
    finished = []
    stopped = False
    for _ in range(max_len):
        cands = []
        for i, (tokens, s) in enumerate(alive):
            row = table[len(tokens), tokens[-1] if tokens else bos].tolist()
            for v in range(vocab):
                total = s + row[v]
                key = row[v] if rank == "token" else total
                cands.append((key, total, i, v))
        cands.sort(key=lambda c: -c[0])
        if gaps is not None:
            top = [c[0] for c in cands[: 2 * k + 2]]
            gaps.extend(a - b for a, b in pairwise(top))
        nxt = []
        for pos, (_, total, i, v) in enumerate(cands):
            parent = alive[i] if backpointer else alive[len(nxt) % len(alive)]
            tokens = parent[0] + [v]
            if v == eos:
                if pos < k or eos_any_rank:
                    finished.append((tokens, total))
            else:
                nxt.append((tokens, total))
                if len(nxt) == k:
                    break
        alive = nxt
        if early_stop is True and len(finished) >= k:
            stopped = True
            break
    if not stopped and flush and not (early_stop == "late" and len(finished) >= k):
        finished += alive
    scored = [(tokens, final(tokens, s), s) for tokens, s in finished]
    scored.sort(key=(lambda h: -h[2]) if order == "raw" else (lambda h: -h[1]))
    if gaps is not None:
        finals = sorted((h[1] for h in scored), reverse=True)[: k + 1]
        gaps.extend(a - b for a, b in pairwise(finals))
    return [(tokens, score) for tokens, score, _ in scored[:k]]


MISTAKES = {
    "the search started from beam_size copies of the empty hypothesis: start from ONE": {"copies": "k"},
    "candidates were ranked by the new token's log-prob alone: rank by the running sum s(y) + log p(v)": {
        "rank": "token"
    },
    "a new hypothesis took the history of the wrong beam: follow the backpointer to the parent it extends": {
        "backpointer": False
    },
    "every EOS candidate was finished: only an EOS ranked among the top beam_size counts": {"eos_any_rank": True},
    "the length penalty is |y|^α; GNMT's is ((5 + |y|) / 6)^α": {"penalty": "power"},
    "the length penalty is missing: final score = s(y) / ((5 + |y|) / 6)^α": {"penalty": "none"},
    "|y| did not count the final EOS: it counts every generated token, EOS included": {"count_eos": False},
    "the search went on after beam_size hypotheses had finished: stop as soon as beam_size are finished": {
        "early_stop": False
    },
    "the search ran to max_len although beam_size hypotheses had finished: stop as soon as they have": {
        "early_stop": "late"
    },
    "hypotheses still alive after max_len steps were dropped: add them to the finished ones": {"flush": False},
    "the result is sorted by the raw sum: sort by final score s(y) / lp(y), best first": {"order": "raw"},
}


def variants(table, bos, eos, k, max_len, alpha):
    found = {}
    for text, kwargs in MISTAKES.items():
        kwargs = {key: (k if value == "k" else value) for key, value in kwargs.items()}
        found[text] = search(table, bos, eos, k, max_len, alpha, **kwargs)
    return found


def make_table(case, vocab, max_len, eos, scale=2.0, eos_bias=0.0):
    logits = case.randn(max_len, vocab, vocab, scale=scale)
    logits[..., eos] += eos_bias
    return case.exact(torch.log_softmax(logits, dim=-1))


def pick(case, vocab, k, max_len, alpha, *, eos_bias=0.0, scale=2.0, differs_from=(), accept=None, tries=200):
    """A table, BOS and EOS with no near-ties, on which each named mistake changes the result (and for which
    accept(expected, eos) holds)."""
    for attempt in range(tries):
        ids = torch.randperm(vocab, generator=case.generator)[:2].tolist()
        bos, eos = ids
        table = make_table(case, vocab, max_len, eos, scale, eos_bias)
        gaps = []
        expected = search(table, bos, eos, k, max_len, alpha, gaps=gaps)
        if gaps and min(gaps) < MARGIN:
            continue
        wrong = variants(table, bos, eos, k, max_len, alpha)
        wanted = accept is None or accept(expected, eos)
        if (wanted and all(wrong[text] != expected for text in differs_from)) or attempt == tries - 1:
            return table, bos, eos, expected
    raise AssertionError("internal: no suitable table")


def fmt(hyps, n=4):
    shown = ", ".join(f"({tokens}, {score:.4f})" for tokens, score in hyps[:n])
    return "[" + shown + (", ..." if len(hyps) > n else "") + "]"


def parse(reply):
    if not isinstance(reply, list | tuple):
        raise AssertionError(f"beam_search returned {type(reply).__name__}; expected a list of (tokens, score) pairs")
    hyps = []
    for item in reply:
        if not (isinstance(item, list | tuple) and len(item) == 2):
            raise AssertionError(f"each result must be a (tokens, score) pair; got {item!r:.80}")
        tokens, score = item
        if isinstance(tokens, torch.Tensor):
            tokens = tokens.tolist()
        if isinstance(score, torch.Tensor):
            score = score.item()
        if not (isinstance(tokens, list) and all(isinstance(t, int) for t in tokens)):
            raise AssertionError(f"tokens must be a list of ints (bos_id excluded); got {tokens!r:.80}")
        if not isinstance(score, float | int):
            raise AssertionError(f"the score must be a float; got {type(score).__name__}")
        hyps.append((tokens, float(score)))
    return hyps


def run(sub, case, table, bos, eos, k, max_len, alpha, expected):
    reply = sub.call("run_beam_search", table, bos, eos, k, max_len, alpha)
    got = parse(reply)
    setting = f"beam_size={k}, max_len={max_len}, alpha={alpha:g}, V={table.shape[-1]}, bos={bos}, eos={eos}"
    wrong = variants(table, bos, eos, k, max_len, alpha)
    got_tokens = [tokens for tokens, _ in got]
    want_tokens = [tokens for tokens, _ in expected]
    if got_tokens != want_tokens:
        hint = next((text for text, hyps in wrong.items() if [t for t, _ in hyps] == got_tokens), "")
        raise AssertionError(
            f"beam_search({setting}) returned {fmt(got)}, expected {fmt(expected)}"
            + (f"\nhint: {hint}" if hint else "")
        )
    suspects = {
        text: torch.tensor([s for _, s in hyps], dtype=torch.float64)
        for text, hyps in wrong.items()
        if [t for t, _ in hyps] == want_tokens
    }
    close(
        torch.tensor([s for _, s in got], dtype=torch.float64),
        torch.tensor([s for _, s in expected], dtype=torch.float64),
        case,
        what=f"final scores of beam_search({setting})",
        suspects=suspects,
        rtol=case.rtol * 10,
        atol=case.atol * 10,
    )


def test_greedy(sub, case):
    table, bos, eos, expected = pick(case, 8, 1, 6, 0.0, eos_bias=-1.0)
    run(sub, case, table, bos, eos, 1, 6, 0.0, expected)


def test_no_eos(sub, case):
    # EOS is (almost) impossible: every hypothesis runs to max_len, all the bookkeeping shows in the result
    mistakes = [t for t in MISTAKES if "copies" in MISTAKES[t] or "rank" in MISTAKES[t] or "backpointer" in MISTAKES[t]]
    table, bos, eos, expected = pick(case, 8, 3, 5, 0.0, eos_bias=-40.0, differs_from=mistakes)
    run(sub, case, table, bos, eos, 3, 5, 0.0, expected)


def test_eos_finishes(sub, case):
    def finishes_early(expected, eos):  # some hypothesis ends in EOS before the last step
        return any(tokens[-1] == eos and len(tokens) < 6 for tokens, _ in expected)

    table, bos, eos, expected = pick(case, 8, 3, 6, 0.0, eos_bias=1.0, accept=finishes_early)
    run(sub, case, table, bos, eos, 3, 6, 0.0, expected)


def test_eos_rank_rule(sub, case):
    rule = [t for t in MISTAKES if "eos_any_rank" in MISTAKES[t]]
    table, bos, eos, expected = pick(case, 8, 3, 6, 0.0, eos_bias=0.5, differs_from=rule)
    run(sub, case, table, bos, eos, 3, 6, 0.0, expected)


def test_length_penalty(sub, case):
    keys = ("penalty", "count_eos", "order")
    mistakes = [t for t in MISTAKES if any(key in MISTAKES[t] for key in keys)]
    table, bos, eos, expected = pick(case, 9, 3, 7, 1.0, eos_bias=0.5, differs_from=mistakes)
    run(sub, case, table, bos, eos, 3, 7, 1.0, expected)


def test_gnmt_alpha(sub, case):
    # GNMT's usual range (alpha 0.6 to 0.7): longer hypotheses get a milder penalty
    missing = [t for t in MISTAKES if MISTAKES[t].get("penalty") == "none"]
    table, bos, eos, expected = pick(case, 9, 4, 7, 0.6, eos_bias=0.5, differs_from=missing)
    run(sub, case, table, bos, eos, 4, 7, 0.6, expected)


def test_early_stopping(sub, case):
    rule = [t for t in MISTAKES if "early_stop" in MISTAKES[t]]
    table, bos, eos, expected = pick(case, 8, 2, 7, 0.8, eos_bias=0.5, differs_from=rule)
    run(sub, case, table, bos, eos, 2, 7, 0.8, expected)


def test_max_len_flush(sub, case):
    rule = [t for t in MISTAKES if "flush" in MISTAKES[t]]
    table, bos, eos, expected = pick(case, 8, 3, 4, 0.0, eos_bias=-1.5, differs_from=rule)
    run(sub, case, table, bos, eos, 3, 4, 0.0, expected)
