# expect: zero_iterations
import torch
from torch import Tensor


def _assign(x: Tensor, centroids: Tensor) -> Tensor:
    d2 = ((x[:, None, :] - centroids[None, :, :]) ** 2).sum(-1)  # (N, K), exact differences, no cancellation
    return d2.argmin(dim=1)  # the first minimum: ties go to the smallest k


def kmeans(x: Tensor, centroids: Tensor, n_iters: int) -> tuple[Tensor, Tensor]:
    centroids = centroids.clone()
    k = centroids.shape[0]
    for _ in range(max(n_iters, 1)):
        a = _assign(x, centroids)
        sums = torch.zeros_like(centroids).index_add_(0, a, x)  # (K, D)
        counts = torch.bincount(a, minlength=k)  # (K,)
        filled = counts > 0
        # an empty cluster keeps its previous centroid
        centroids = torch.where(filled[:, None], sums / counts.clamp(min=1)[:, None].to(x.dtype), centroids)
    return centroids, _assign(x, centroids)
