import random


def kth_largest(nums: list[int], k: int) -> int:
    """Quickselect with a random pivot and a three-way split: expected O(n), also with many duplicates."""
    if not 1 <= k <= len(nums):
        raise ValueError(f"k={k} is out of range for {len(nums)} values")
    while True:
        pivot = random.choice(nums)
        larger = [x for x in nums if x > pivot]
        if k <= len(larger):
            nums = larger
            continue
        equal = sum(1 for x in nums if x == pivot)
        if k <= len(larger) + equal:
            return pivot
        k -= len(larger) + equal
        nums = [x for x in nums if x < pivot]
