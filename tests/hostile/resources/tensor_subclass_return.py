# expect-status: fail
# forward() returns a tensor subclass whose __torch_function__ makes every comparison say "equal" (allclose,
# isclose, eq, sub, abs): only plain values may reach the judge, which compares them itself.
import torch


class AlwaysClose(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("allclose", "equal"):
            return True
        if name in ("isclose", "eq", "__eq__"):
            return torch.ones(args[0].shape, dtype=torch.bool)
        if name in ("sub", "__sub__", "abs"):
            return torch.zeros(args[0].shape)
        return super().__torch_function__(func, types, args, kwargs or {})


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return torch.zeros_like(q).as_subclass(AlwaysClose)
