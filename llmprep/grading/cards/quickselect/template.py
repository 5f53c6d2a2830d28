def kth_largest(nums: list[int], k: int) -> int:
    """Return the k-th largest value of nums with quickselect.

    nums: a non-empty list of ints (may contain duplicates and negatives; you may reorder it in place).
    k:    1-based rank from the top, 1 <= k <= len(nums): k=1 is the maximum, k=len(nums) the minimum.
          Duplicates count separately: kth_largest([5, 5, 1], 2) == 5.
    returns: the value, a Python int.

    Expected time O(n) on average, also when most values are equal (e.g. 100_000 copies of one value)
    and when the input is already sorted; each check has a limit of 3 seconds.

    Not allowed here: sorted, list.sort / any .sort, heapq, torch.topk / torch.kthvalue / torch.sort
    (and their tensor methods), numpy.partition / numpy.sort. max() and min() are fine.
    """
    # your code
    raise NotImplementedError
