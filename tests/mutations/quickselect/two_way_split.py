# expect: many_duplicates[few_distinct]
import random


def kth_largest(nums: list[int], k: int) -> int:
    while True:
        if len(nums) == 1:
            return nums[0]
        i = random.randrange(len(nums))
        pivot = nums[i]
        rest = nums[:i] + nums[i + 1 :]
        larger = [x for x in rest if x > pivot]
        not_larger = [x for x in rest if x <= pivot]  # equal values never leave: O(n^2) on duplicates
        if k <= len(larger):
            nums = larger
        elif k == len(larger) + 1:
            return pivot
        else:
            k -= len(larger) + 1
            nums = not_larger
