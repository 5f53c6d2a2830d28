# expect-status: banned
# card: softmax
# The nn.Module wrapper of softmax, built by name: instantiating it and calling it must be refused.
import torch

Layer = getattr(torch.nn, "Soft" + "max")


def softmax(x, dim=-1):
    return Layer(dim=dim)(x)
