# expect-status: banned
# card: quickselect
# numpy.partition with a built name: the runtime bans only cover torch callables, builtins and import: modules.
import numpy as np

part = getattr(np, "parti" + "tion")


def kth_largest(nums, k):
    return int(part(np.array(nums), len(nums) - k)[len(nums) - k])
