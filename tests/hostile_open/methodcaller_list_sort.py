# expect-status: banned
# card: quickselect
# list.sort called from C: operator.methodcaller invoked by map(), so no Python frame makes the call that a
# profile hook could see.
import operator


def kth_largest(nums, k):
    for _ in map(operator.methodcaller("so" + "rt", reverse=True), [nums]):
        pass
    return nums[k - 1]
