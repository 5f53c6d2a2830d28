# expect-status: banned
# card: quickselect
# list.sort through getattr with a built name (the runtime watches list.sort with a profile hook).
def kth_largest(nums, k):
    getattr(nums, "so" + "rt")(reverse=True)
    return nums[k - 1]
