# expect-status: banned
# card: quickselect
# torch.unique returns the distinct values sorted, with their counts: an order statistic without any of the
# banned names or ops (it runs aten._unique2, not aten.sort).
import torch


def kth_largest(nums, k):
    values, counts = torch.unique(torch.tensor(nums), sorted=True, return_counts=True)
    above = counts.flip(0).cumsum(0)
    return int(values.flip(0)[int((above < k).sum())])
