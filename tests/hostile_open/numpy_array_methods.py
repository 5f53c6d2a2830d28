# expect-status: banned
# card: quickselect
# numpy's array methods (ndarray.partition, ndarray.sort) and numpy.unique: the module-level numpy functions
# are replaced, the methods of an array are not.
import numpy as np


def kth_largest(nums, k):
    values = np.array(nums)
    getattr(values, "parti" + "tion")(len(nums) - k)
    return int(values[len(nums) - k])
