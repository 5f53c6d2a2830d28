# expect: empty
import random


def quicksort(nums: list[int]) -> list[int]:
    pivot = random.choice(nums)
    less = [x for x in nums if x < pivot]
    equal = [x for x in nums if x == pivot]
    greater = [x for x in nums if x > pivot]
    return (quicksort(less) if len(less) > 1 else less) + equal + (quicksort(greater) if len(greater) > 1 else greater)
