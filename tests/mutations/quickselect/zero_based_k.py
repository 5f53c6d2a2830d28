# expect: k_is_one_based_largest
import random


def kth_largest(nums: list[int], k: int) -> int:
    k += 1  # treats k as a 0-based index
    k = min(k, len(nums))
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
