# expect: merge_whole_symbols_only
from collections import Counter
from itertools import pairwise

EOW = "</w>"


def learn_bpe(words: dict[str, int], num_merges: int) -> list[tuple[str, str]]:
    corpus = {" ".join([*word, EOW]): freq for word, freq in words.items()}  # "l o w </w>"
    merges = []
    for _ in range(num_merges):
        counts = Counter()
        for text, freq in corpus.items():
            symbols = text.split()
            for pair in pairwise(symbols):
                counts[pair] += freq
        if not counts:
            break
        best = min(counts, key=lambda p: (-counts[p], p))
        merges.append(best)
        # no word boundaries: "a b" also matches inside "ca b"
        corpus = {text.replace(f"{best[0]} {best[1]}", best[0] + best[1]): f for text, f in corpus.items()}
    return merges


def apply_bpe(word: str, merges: list[tuple[str, str]]) -> list[str]:
    text = " ".join([*word, EOW])
    for a, b in merges:
        text = text.replace(f"{a} {b}", a + b)
    return text.split()
