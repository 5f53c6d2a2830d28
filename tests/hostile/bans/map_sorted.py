# expect-status: banned
# card: quickselect
# The builtin fetched by a built name and called by map(), from C rather than from a Python frame.
import builtins

srt = getattr(builtins, "sor" + "ted")


def kth_largest(nums, k):
    (ordered,) = map(srt, [nums])
    return ordered[-k]
