import torch
from torch import Tensor


def kmeans(x: Tensor, centroids: Tensor, n_iters: int) -> tuple[Tensor, Tensor]:
    """k-means by Lloyd's algorithm (Lloyd 1982), from given initial centroids, for a fixed number of iterations.

    x:         (N, D) float, the points.
    centroids: (K, D) float, the initial centroids (do not modify this tensor in place).
    n_iters:   int >= 0, the number of iterations.

    One iteration is two steps, every point and every centroid at once (batch, not online):
      1. assignment: a[n] = argmin_k ||x[n] - c[k]||^2  (squared Euclidean distance; a tie goes to the
         smallest k, as torch.argmin does)
      2. update: c[k] = the mean of the points with a[n] = k. EMPTY CLUSTER RULE: a centroid that received no
         point keeps its previous value (no re-seeding, no zeros, no nan).
    Stopping early once nothing changes is allowed (the remaining iterations would change nothing).

    Returns (centroids, assignments):
      centroids:   (K, D) float, after the n_iters iterations (the initial ones when n_iters = 0);
      assignments: (N,) int64, every point's nearest RETURNED centroid (one more assignment step after the last
                   update, so the two outputs are consistent).

    Not allowed here: sklearn, scipy, faiss (import them or not, they do the work for you).
    torch.cdist, torch.argmin, index_add_, scatter_add_, bincount and one-hot matmuls are all fine.
    """
    # your code
    raise NotImplementedError
