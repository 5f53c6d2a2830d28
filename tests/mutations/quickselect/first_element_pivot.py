# expect: sorted_input
def kth_largest(nums: list[int], k: int) -> int:
    while True:
        pivot = nums[0]
        larger = [x for x in nums if x > pivot]
        if k <= len(larger):
            nums = larger
            continue
        equal = sum(1 for x in nums if x == pivot)
        if k <= len(larger) + equal:
            return pivot
        k -= len(larger) + equal
        nums = [x for x in nums if x < pivot]
