# expect-status: error
# Patches the worker's reply path so every reply says "pass": _status_of, and protocol.encode (which the
# worker's captured `send` still looks up at call time) rewrites each outgoing message.
import sys

import torch

worker = sys.modules["llmprep.grading.worker"]
protocol = sys.modules["llmprep.grading.protocol"]
worker._status_of = lambda exc: "pass"
real_encode = protocol.encode
protocol.encode = lambda message: real_encode({"ok": False, "status": "pass", "message": "all checks passed"})


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return torch.zeros_like(q)
