# expect-status: memory
# forward() returns a 2 GiB tensor: over the worker's memory limit to make, and over the frame limit to send.
import torch


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return torch.empty(2**31, dtype=torch.uint8)
