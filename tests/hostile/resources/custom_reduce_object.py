# expect-status: error
# forward() returns an object whose __reduce__ would run code wherever it is unpickled (and which pretends to
# compare equal to anything): the protocol must refuse to carry it rather than pickle it.
import os

import torch


class Payload:
    def __reduce__(self):
        return (os.system, ("touch ~/llmprep-was-here.txt",))

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return Payload()
