# expect-status: banned
# card: quickselect
# Tries to get the real builtin back from every place it might still be: builtins' dict, __builtins__, the
# wrapper's closure.
import builtins
import sys

name = "sor" + "ted"
candidates = [vars(sys.modules["builtins"])[name], vars(builtins).get(name)]
wrapper = candidates[0]
candidates += [c.cell_contents for c in wrapper.__closure__ or () if callable(c.cell_contents)]
real = next((c for c in candidates if type(c).__name__ == "builtin_function_or_method"), wrapper)
setattr(builtins, name, real)


def kth_largest(nums, k):
    return real(nums, reverse=True)[k - 1]
