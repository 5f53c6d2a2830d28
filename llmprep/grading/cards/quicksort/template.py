def quicksort(nums: list[int]) -> list[int]:
    """Sort nums in ascending order with quicksort and return the sorted list.

    nums: a list of ints (possibly empty, with duplicates and negatives).
    returns: a list with the same values in ascending order. Sorting nums in place is fine, as long as
             you return it (`return nums`); building and returning a new list is fine too.

    Expected time O(n log n), also on already sorted or reversed input and when most values are equal
    (e.g. 50_000 copies of one value); each check has a limit of 3 seconds. Python's recursion limit is
    about 1000 frames, so recursion depth must stay O(log n).

    Not allowed here: sorted, list.sort / any .sort, heapq, bisect, torch.sort / torch.argsort,
    numpy.sort / numpy.argsort.
    """
    # your code
    raise NotImplementedError
