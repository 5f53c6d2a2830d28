# expect-status: banned
# card: quickselect
# torch.tensor(nums).sort() with a built method name.
import torch


def kth_largest(nums, k):
    values, _ = getattr(torch.tensor(nums), "so" + "rt")(descending=True)
    return int(values[k - 1])
