# expect-status: banned
# card: quickselect
# heapq imported with importlib and a built module name, then nlargest.
import importlib

heap = importlib.import_module("heap" + "q")


def kth_largest(nums, k):
    return heap.nlargest(k, nums)[-1]
