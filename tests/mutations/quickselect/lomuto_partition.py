# expect: many_duplicates[all_equal]
import random


def partition(a, lo, hi):
    """Lomuto: everything > pivot to the left; equal values stay on the right, one element per pass."""
    r = random.randint(lo, hi)
    a[r], a[hi] = a[hi], a[r]
    pivot = a[hi]
    store = lo
    for i in range(lo, hi):
        if a[i] > pivot:
            a[i], a[store] = a[store], a[i]
            store += 1
    a[store], a[hi] = a[hi], a[store]
    return store


def kth_largest(nums: list[int], k: int) -> int:
    lo, hi, target = 0, len(nums) - 1, k - 1
    while True:
        p = partition(nums, lo, hi)
        if p == target:
            return nums[p]
        if p < target:
            lo = p + 1
        else:
            hi = p - 1
