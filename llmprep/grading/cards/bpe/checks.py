"""Hidden checks for `bpe`: learn_bpe(words, num_merges) and apply_bpe(word, merges).

Conventions (stated in the template): characters plus a separate '</w>', pair counts weighted by word
frequency, most frequent pair first with ties to the smallest (left, right) tuple, left-to-right merges.
"""

from collections import Counter
from itertools import pairwise

import pytest

EOW = "</w>"


def split(word, eow="separate"):
    if eow == "separate":
        return [*word, EOW]
    if eow == "attached":  # the original subword-nmt style: the marker glued to the last character
        return [*word[:-1], word[-1] + EOW]
    return list(word)


def merge(symbols, pair):
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def pair_counts(corpus, *, weighted=True, once_per_word=False):
    counts = Counter()
    for symbols, freq in corpus:
        pairs = list(pairwise(symbols))
        for pair in set(pairs) if once_per_word else pairs:
            counts[pair] += freq if weighted else 1
    return counts


def learn(words, num_merges, *, eow="separate", weighted=True, once_per_word=False, tie="min"):
    """Reference learner; the keyword arguments reproduce classic mistakes. Returns (merges, counts, corpus):
    counts[i] are the pair counts before merge i, corpus the final segmentation."""
    corpus = [(split(w, eow), f) for w, f in words.items()]
    merges, history = [], []
    for _ in range(num_merges):
        counts = pair_counts(corpus, weighted=weighted, once_per_word=once_per_word)
        if not counts:
            break
        best = max(counts.values())
        tied = [p for p, c in counts.items() if c == best]
        pair = min(tied) if tie == "min" else max(tied)
        merges.append(pair)
        history.append(counts)
        corpus = [(merge(s, pair), f) for s, f in corpus]
    return merges, history, corpus


MISTAKES = {
    "pair counts ignore the word frequencies: add the word's frequency for each occurrence": {"weighted": False},
    "'</w>' is missing: append it after the last character as a separate symbol": {"eow": "none"},
    "'</w>' is glued to the last character: it must be a separate symbol ('w', '</w>')": {"eow": "attached"},
    "ties go to the largest pair: take the lexicographically SMALLEST (left, right) tuple": {"tie": "max"},
    "a pair counts once per word: count every adjacent occurrence": {"once_per_word": True},
}


def check_learn(sub, words, num_merges):
    got = sub.call("learn_bpe", dict(words), num_merges)
    assert isinstance(got, list | tuple), f"learn_bpe returned {type(got).__name__}, expected a list of pairs"
    got = [tuple(m) if isinstance(m, list | tuple) else m for m in got]
    want, history, _ = learn(words, num_merges)
    if got == want:
        return want
    shown = words if len(words) <= 6 else f"{len(words)} words"
    message = f"learn_bpe({shown}, {num_merges})"
    if len(got) != len(want) and got[: len(want)] == want:
        message += f" returned {len(got)} merges, expected {len(want)} (no pair is left after merge {len(want)})"
    else:
        i = next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), min(len(got), len(want)))
        if i >= len(got):
            message += f" returned {len(got)} merges, expected {len(want)}: {want[len(got)]} is missing"
        else:
            counts = history[i]
            message += (
                f": merge #{i + 1} is {got[i]!r} (count {counts.get(got[i], 0)}), expected {want[i]!r} "
                f"(count {counts[want[i]]}); merges before it: {want[:i]}"
            )
    for hint, kwargs in MISTAKES.items():
        if got == learn(words, num_merges, **kwargs)[0]:
            message += f"\nhint: {hint}"
            break
    raise AssertionError(message)


def random_words(case, n, alphabet, max_len):
    words = {}
    while len(words) < n:
        length = case.ints(1, 1, max_len + 1)[0]
        word = "".join(alphabet[i] for i in case.ints(length, 0, len(alphabet)))
        words[word] = case.ints(1, 1, 10)[0]
    return words


CLASSIC = {"low": 5, "lower": 2, "newest": 6, "widest": 3}


def test_first_merge(sub, case):
    freqs = case.ints(4, 1, 10)
    check_learn(sub, dict(zip(CLASSIC, freqs, strict=True)), 1)


def test_classic_corpus(sub, case):
    check_learn(sub, CLASSIC, 10)


def test_frequency_weighting(sub, case):
    # ('c', 'd') is in three words of frequency 1; ('a', 'b') in one word of frequency 10
    check_learn(sub, {"cd": 1, "cde": 1, "cdf": 1, "ab": 10}, 3)


def test_tie_break(sub, case):
    # every pair occurs once; the insertion order is shuffled so that "first seen" is not the answer
    letters = "pqrsuvxy"
    order = case.randint(0, 4, (4,)).argsort().tolist()
    words = [letters[2 * i : 2 * i + 2] for i in order]
    check_learn(sub, dict.fromkeys(words, 1), 6)


def test_end_of_word_marker(sub, case):
    check_learn(sub, {"xe": 5, "ye": 5, "ze": 5, "ex": 1}, 4)


def test_repeated_symbols(sub, case):
    check_learn(sub, {"aaa": 2, "aaaa": 1, "baa": 1}, 5)


def test_merge_whole_symbols_only(sub, case):
    # ('c', 'a') is merged first; later ('a', 'b</w>') must not touch the symbols 'ca', 'b</w>'
    check_learn(sub, {"ca": 10, "cab": 1, "ab": 2}, 6)


@pytest.mark.parametrize("alphabet", ["abcd", "abcdefgh"])
def test_random_corpus(sub, case, alphabet):
    check_learn(sub, random_words(case, 10, alphabet, 6), 25)


def test_stops_when_nothing_left(sub, case):
    check_learn(sub, {"ab": 3, "b": 1, "ba": 2}, 20)


def test_zero_merges(sub, case):
    check_learn(sub, random_words(case, 4, "abc", 4), 0)


def check_apply(sub, word, merges, want):
    got = sub.call("apply_bpe", word, list(merges))
    assert isinstance(got, list | tuple), f"apply_bpe returned {type(got).__name__}, expected a list of str"
    got = list(got)
    if got == want:
        return
    message = f"apply_bpe({word!r}, <{len(merges)} merges>) returned {got}, expected {want}"
    leftmost = apply_leftmost(word, merges)
    if got == leftmost and got != want:
        message += "\nhint: merge the present pair with the lowest rank (earliest learned), not the leftmost pair"
    elif EOW not in "".join(str(s) for s in got):
        message += "\nhint: start from the characters plus a separate '</w>' and keep it in the result"
    raise AssertionError(message)


def apply_reference(word, merges):
    rank = {pair: i for i, pair in enumerate(merges)}
    symbols = split(word)
    while True:
        present = [p for p in pairwise(symbols) if p in rank]
        if not present:
            return symbols
        symbols = merge(symbols, min(present, key=rank.__getitem__))


def apply_leftmost(word, merges):
    """The classic mistake: merge the first pair (from the left) that has any rank."""
    known = set(merges)
    symbols = split(word)
    while True:
        pairs = [p for p in pairwise(symbols) if p in known]
        if not pairs:
            return symbols
        symbols = merge(symbols, pairs[0])


def test_apply_training_words(sub, case):
    words = random_words(case, 6, "abcde", 7)
    merges, _, corpus = learn(words, 15)
    for word, (symbols, _) in zip(words, corpus, strict=True):
        check_apply(sub, word, merges, symbols)


def test_apply_unseen_word(sub, case):
    words = random_words(case, 8, "abc", 6)
    merges, _, _ = learn(words, 12)
    for word in ("abzcab", "z", "cabbage", "aq"):
        check_apply(sub, word, merges, apply_reference(word, merges))


def test_apply_merge_priority(sub, case):
    merges = [("b", "c"), ("a", "b"), ("bc", "</w>"), ("d", "a")]
    check_apply(sub, "abc", merges, ["a", "bc</w>"])
    check_apply(sub, "dabc", merges, ["da", "bc</w>"])
    words = {"bcd": 9, "abx": 4, "abcd": 2}
    merges, _, _ = learn(words, 4)
    check_apply(sub, "abcd", merges, apply_reference("abcd", merges))
