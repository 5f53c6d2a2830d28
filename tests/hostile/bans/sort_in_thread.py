# expect-status: error
# card: quickselect
# list.sort in another thread: a profile hook set with sys.setprofile watches only the thread that set it.
# Stopped by seccomp (no clone on the CPU): the thread cannot start, an error.
import threading


def kth_largest(nums, k):
    worker = threading.Thread(target=getattr(nums, "so" + "rt"), kwargs={"reverse": True})
    worker.start()
    worker.join()
    return nums[k - 1]
