# expect: tie_break
from collections import Counter
from itertools import pairwise

EOW = "</w>"


def _merge(symbols: list[str], pair: tuple[str, str]) -> list[str]:
    """Replace each adjacent occurrence of `pair` by one symbol, left to right, without overlap."""
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and symbols[i] == pair[0] and symbols[i + 1] == pair[1]:
            out.append(pair[0] + pair[1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def learn_bpe(words: dict[str, int], num_merges: int) -> list[tuple[str, str]]:
    corpus = [([*word, EOW], freq) for word, freq in words.items()]
    merges = []
    for _ in range(num_merges):
        counts = Counter()
        for symbols, freq in corpus:
            for pair in pairwise(symbols):
                counts[pair] += freq
        if not counts:
            break
        best = max(counts, key=counts.get)
        merges.append(best)
        corpus = [(_merge(symbols, best), freq) for symbols, freq in corpus]
    return merges


def apply_bpe(word: str, merges: list[tuple[str, str]]) -> list[str]:
    rank = {tuple(pair): i for i, pair in enumerate(merges)}
    symbols = [*word, EOW]
    while len(symbols) > 1:
        present = [p for p in pairwise(symbols) if p in rank]
        if not present:
            break
        symbols = _merge(symbols, min(present, key=rank.__getitem__))
    return symbols
