# expect-status: memory
# Returns a stride-0 view: a few bytes of storage posing as 4 GB. Sending it needs a real copy, which the
# worker's memory limit refuses; the judge must never see a half-built value.
import torch


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return torch.zeros(1).expand(10**9)
