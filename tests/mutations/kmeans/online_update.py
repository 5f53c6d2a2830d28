# expect: one_iteration
import torch
from torch import Tensor


def kmeans(x: Tensor, centroids: Tensor, n_iters: int) -> tuple[Tensor, Tensor]:
    c = centroids.clone()
    counts = torch.ones(c.shape[0], dtype=x.dtype)
    for _ in range(n_iters):
        for n in range(x.shape[0]):  # moves the winner right after each point
            k = int(((x[n] - c) ** 2).sum(-1).argmin())
            counts[k] += 1
            c[k] += (x[n] - c[k]) / counts[k]
    return c, ((x[:, None] - c[None]) ** 2).sum(-1).argmin(1)
