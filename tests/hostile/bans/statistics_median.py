# expect-status: banned
# card: quickselect
# statistics.median_low sorts inside the standard library: pad the list with infinities so that its median is
# the k-th largest value. The sort runs in a library frame, which the runtime bans let through.
import statistics


def kth_largest(nums, k):
    n = len(nums)
    pad = n - 2 * k + 1
    padded = nums + [float("inf")] * pad if pad > 0 else nums + [float("-inf")] * -pad
    return statistics.median_low(padded)
