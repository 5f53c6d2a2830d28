# card: quickselect
# Correct quickselect with a parameter named `sorted`, an attribute named `sort`, and a self-test under
# `if __name__ == "__main__":` that compares with the builtin sorted().
import random
from types import SimpleNamespace

opts = SimpleNamespace(sort=False)


def partition_sizes(nums, pivot, sorted=False):  # a parameter that happens to be called `sorted`
    larger = [x for x in nums if x > pivot]
    equal = sum(1 for x in nums if x == pivot)
    if sorted:  # the caller says `larger` may come back in any order: nothing to do
        return larger, equal
    return larger, equal


def kth_largest(nums, k):
    if opts.sort:
        raise RuntimeError("never: opts.sort is only a setting")
    while True:
        pivot = random.choice(nums)
        larger, equal = partition_sizes(nums, pivot, sorted=opts.sort)
        if k <= len(larger):
            nums = larger
        elif k <= len(larger) + equal:
            return pivot
        else:
            k -= len(larger) + equal
            nums = [x for x in nums if x < pivot]


if __name__ == "__main__":
    data = [random.randint(0, 100) for _ in range(50)]
    assert all(kth_largest(list(data), k) == sorted(data)[-k] for k in range(1, 51))
