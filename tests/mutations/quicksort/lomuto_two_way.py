# expect: many_duplicates[all_equal]
import random


def quicksort(nums: list[int]) -> list[int]:
    def partition(lo, hi):
        r = random.randint(lo, hi)
        nums[r], nums[hi] = nums[hi], nums[r]
        pivot = nums[hi]
        store = lo
        for i in range(lo, hi):
            if nums[i] < pivot:
                nums[i], nums[store] = nums[store], nums[i]
                store += 1
        nums[store], nums[hi] = nums[hi], nums[store]
        return store

    stack = [(0, len(nums) - 1)]
    while stack:
        lo, hi = stack.pop()
        if lo < hi:
            p = partition(lo, hi)
            stack.append((lo, p - 1))
            stack.append((p + 1, hi))
    return nums
