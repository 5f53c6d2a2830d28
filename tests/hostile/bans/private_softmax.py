# expect-status: banned
# card: softmax
# torch._softmax is the private entry point behind torch.softmax (half_to_float=False).
import torch

kernel = getattr(torch, "_soft" + "max")


def softmax(x, dim=-1):
    return kernel(x, dim, False)
