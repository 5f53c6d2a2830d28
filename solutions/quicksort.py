import random


def quicksort(nums: list[int]) -> list[int]:
    """In-place quicksort: random pivot, three-way (Dutch national flag) partition, and a loop over the
    larger part with recursion into the smaller one, so the stack stays O(log n)."""

    def sort(lo: int, hi: int) -> None:  # sorts nums[lo:hi + 1]
        while lo < hi:
            pivot = nums[random.randint(lo, hi)]
            lt, i, gt = lo, lo, hi  # nums[lo:lt] < pivot, nums[lt:i] == pivot, nums[gt + 1:hi + 1] > pivot
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
            if lt - lo < hi - gt:
                sort(lo, lt - 1)
                lo = gt + 1
            else:
                sort(gt + 1, hi)
                hi = lt - 1

    sort(0, len(nums) - 1)
    return nums
