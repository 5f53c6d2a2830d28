# expect: small_duplicates
import random


def quicksort(nums: list[int]) -> list[int]:
    if len(nums) <= 1:
        return nums
    pivot = random.choice(nums)
    less = [x for x in nums if x < pivot]
    greater = [x for x in nums if x > pivot]
    return [*quicksort(less), pivot, *quicksort(greater)]
