def learn_bpe(words: dict[str, int], num_merges: int) -> list[tuple[str, str]]:
    """Learn byte-pair-encoding merges (Sennrich et al. 2016) from a toy corpus.

    words: maps each word (a non-empty string without spaces) to its frequency (a positive int).
    num_merges: how many merges to learn.
    returns: the merges in the order learned, each a tuple (left, right) of two symbols (strings).

    Conventions (the checks hold you to each of them):
    - A word starts as its characters followed by the end-of-word marker '</w>' as a SEPARATE symbol:
      "low" -> ["l", "o", "w", "</w>"].
    - Each step counts every adjacent pair of symbols in every word, weighted by the word's frequency
      (a pair that occurs twice in a word of frequency 3 counts 6), and merges the most frequent pair.
    - Ties: the lexicographically smallest pair wins, comparing (left, right) tuples with Python's string
      order (so "</w>" sorts before letters): min(pairs, key=lambda p: (-count[p], p)).
    - Merging (a, b) replaces each occurrence of the adjacent symbols a, b by the single symbol a + b,
      scanning left to right without overlap: merging ("a", "a") turns a a a </w> into aa a </w>.
      Only whole symbols merge: ("a", "b") does not touch the symbols "ca", "b".
    - Stop early, returning fewer merges, when no word has two symbols left. num_merges=0 returns [].
    """
    # your code
    raise NotImplementedError


def apply_bpe(word: str, merges: list[tuple[str, str]]) -> list[str]:
    """Segment one word with learned merges.

    word: a non-empty string (it may contain characters never seen in training; they stay single symbols).
    merges: as returned by learn_bpe; the rank of a merge is its index in the list (0 = learned first).
    returns: the symbols, e.g. ["low</w>"] or ["n", "ew", "est</w>"]; the last one contains "</w>".

    Start from the characters plus "</w>" as for learning, then repeatedly take the adjacent pair present
    in the word with the LOWEST rank and merge all its occurrences (left to right, without overlap), until
    no adjacent pair is in merges. (For merges from learn_bpe this equals applying each merge in order.)

    Not allowed here: tokenizers, sentencepiece, tiktoken, subword_nmt, transformers.
    """
    # your code
    raise NotImplementedError
