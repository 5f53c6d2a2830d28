# expect-status: banned
# card: quickselect
# The builtin imported under another name.
from builtins import sorted as srt


def kth_largest(nums, k):
    return srt(nums, reverse=True)[k - 1]
