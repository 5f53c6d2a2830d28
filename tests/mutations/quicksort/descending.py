# expect: small_random
import random


def quicksort(nums: list[int]) -> list[int]:
    if len(nums) <= 1:
        return nums
    pivot = random.choice(nums)
    left = [x for x in nums if x > pivot]
    equal = [x for x in nums if x == pivot]
    right = [x for x in nums if x < pivot]
    return quicksort(left) + equal + quicksort(right)
