# expect-status: banned
# card: quickselect
# Removes the list.sort profile hook: sys.setprofile(None) (refused by the audit hook), then the C API through
# ctypes.pythonapi, which was loaded before the sandbox (no dlopen event), then list.sort by a built name.
import contextlib
import ctypes
import sys

with contextlib.suppress(PermissionError):
    sys.setprofile(None)
ctypes.pythonapi.PyEval_SetProfile(None, None)


def kth_largest(nums, k):
    getattr(nums, "so" + "rt")(reverse=True)
    return nums[k - 1]
