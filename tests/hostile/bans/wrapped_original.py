# expect-status: error
# card: quickselect
# The runtime ban replaces builtins.sorted with a functools.wraps wrapper, which keeps the original in
# __wrapped__. The tripwires now keep no reference to the original: an AttributeError, an error.
import builtins

original = getattr(builtins, "sor" + "ted").__wrapped__


def kth_largest(nums, k):
    return original(nums, reverse=True)[k - 1]
