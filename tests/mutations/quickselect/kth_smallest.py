# expect: k_is_one_based_largest
import random


def kth_largest(nums: list[int], k: int) -> int:
    while True:
        pivot = random.choice(nums)
        smaller = [x for x in nums if x < pivot]
        if k <= len(smaller):
            nums = smaller
            continue
        equal = sum(1 for x in nums if x == pivot)
        if k <= len(smaller) + equal:
            return pivot
        k -= len(smaller) + equal
        nums = [x for x in nums if x > pivot]
