# expect-status: banned
# card: softmax
# Attention computes a softmax inside its fused kernel: with one query of 1, keys x and values the identity,
# scaled_dot_product_attention returns softmax(x). The softmax card bans softmax ops, not attention.
import torch

attend = getattr(torch.nn.functional, "scaled_dot_product_" + "attention")


def softmax(x, dim=-1):
    moved = x.movedim(dim, -1)
    n = moved.shape[-1]
    rows = moved.reshape(-1, 1, n, 1)
    query = torch.ones(rows.shape[0], 1, 1, 1, dtype=x.dtype)
    out = attend(query, rows, torch.eye(n, dtype=x.dtype).expand(rows.shape[0], 1, n, n), scale=1.0)
    return out.reshape(moved.shape).movedim(-1, dim)
