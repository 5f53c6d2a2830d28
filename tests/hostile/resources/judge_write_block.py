# expect-status: timeout
# card: quickselect
# Stops reading requests while keeping the judge fed: on the sorted-input check the answer goes straight into
# the reply pipe and the main thread never returns, so it never reads the next request. The judge writes the
# next one (100,000 ints: far more than a pipe holds) with no deadline, and waits for as long as the worker
# lives; this one gives up after 90 s. (No threads needed.)
import fcntl
import itertools
import os
import random
import stat
import sys
import time


def kth_largest(nums, k):
    step = nums[1] - nums[0] if len(nums) > 1 else 0
    if len(nums) == 100_000 and abs(step) == 1 and all(b - a == step for a, b in itertools.pairwise(nums[:100])):
        # the sorted-input check: the answer goes out of band
        fd = next(f for f in range(3, 16) if is_reply_pipe(f))
        os.write(fd, sys.modules["llmprep.grading.protocol"].encode({"ok": True, "value": select(nums, k)}))
        time.sleep(90)  # no reading meanwhile; then give up, so that a hang ends
        os._exit(0)
    return select(nums, k)


def is_reply_pipe(fd):
    try:
        return stat.S_ISFIFO(os.fstat(fd).st_mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY
    except OSError:
        return False


def select(nums, k):
    while True:
        pivot = random.choice(nums)
        larger = [x for x in nums if x > pivot]
        equal = sum(x == pivot for x in nums)
        if k <= len(larger):
            nums = larger
        elif k <= len(larger) + equal:
            return pivot
        else:
            k -= len(larger) + equal
            nums = [x for x in nums if x < pivot]
