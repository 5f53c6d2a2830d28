# expect: every_k
import random


def kth_largest(nums: list[int], k: int) -> int:
    while True:
        pivot = random.choice(nums)
        larger = [x for x in nums if x > pivot]
        if k <= len(larger):
            nums = larger
            continue
        equal = sum(1 for x in nums if x == pivot)
        if k == len(larger) + 1:  # only the first slot of the equal block is recognised
            return pivot
        k -= len(larger) + equal
        nums = [x for x in nums if x < pivot]
        if not nums:
            return pivot
