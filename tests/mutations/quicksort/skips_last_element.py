# expect: small_random
import random


def quicksort(nums: list[int]) -> list[int]:
    def sort(lo, hi):  # meant to sort nums[lo:hi + 1]
        if lo >= hi:
            return
        pivot = nums[random.randint(lo, hi)]
        lt, i, gt = lo, lo, hi
        while i <= gt:
            if nums[i] < pivot:
                nums[lt], nums[i] = nums[i], nums[lt]
                lt += 1
                i += 1
            elif nums[i] > pivot:
                nums[i], nums[gt] = nums[gt], nums[i]
                gt -= 1
            else:
                i += 1
        sort(lo, lt - 1)
        sort(gt + 1, hi)

    sort(0, len(nums) - 2)  # off by one: the last element never takes part
    return nums
