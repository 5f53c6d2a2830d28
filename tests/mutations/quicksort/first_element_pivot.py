# expect: already_sorted
def quicksort(nums: list[int]) -> list[int]:
    if len(nums) <= 1:
        return nums
    pivot = nums[0]
    less = [x for x in nums if x < pivot]
    equal = [x for x in nums if x == pivot]
    greater = [x for x in nums if x > pivot]
    return quicksort(less) + equal + quicksort(greater)
