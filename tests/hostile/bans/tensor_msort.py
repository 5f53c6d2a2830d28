# expect-status: banned
# card: quickselect
# Tensor.msort with a built name (sorts along dim 0).
import torch


def kth_largest(nums, k):
    return int(getattr(torch.tensor(nums), "ms" + "ort")()[-k])
