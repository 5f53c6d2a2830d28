# expect-status: banned
# card: quickselect
# The real builtin sorted, recovered from the tripwires' own bookkeeping (a set found with the garbage
# collector), then called by map() from C: a profile hook only sees calls made from Python frames.
import gc

real = next(
    (f for o in gc.get_objects() if isinstance(o, set) for f in o if getattr(f, "__name__", "") == "sor" + "ted"),
    None,
)


def kth_largest(nums, k):
    (ordered,) = map(real, [nums])
    return ordered[-k]
