# expect-status: banned
# card: quickselect
# The C accelerator `_heapq` (imported by a built name): heapify the negated values, pop k times.
import importlib

fast = importlib.import_module("_hea" + "pq")


def kth_largest(nums, k):
    heap = [-x for x in nums]
    fast.heapify(heap)
    for _ in range(k - 1):
        fast.heappop(heap)
    return -heap[0]
