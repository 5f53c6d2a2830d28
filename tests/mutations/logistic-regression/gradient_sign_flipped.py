# expect: gradient
import torch
from torch import Tensor


def logistic_loss(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> Tensor:
    z = X @ w + b
    # -[y log σ(z) + (1 - y) log(1 - σ(z))] = softplus(z) - y z, and softplus(z) = max(z, 0) + log1p(exp(-|z|))
    softplus = z.clamp(min=0) + torch.log1p(torch.exp(-z.abs()))
    return (softplus - y * z).mean()


def logistic_grad(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    z = X @ w + b
    residual = y - torch.sigmoid(z)
    n = X.shape[0]
    return X.T @ residual / n, residual.sum() / n


def train_logistic_regression(X: Tensor, y: Tensor, lr: float, n_steps: int) -> tuple[Tensor, Tensor, Tensor]:
    w = X.new_zeros(X.shape[1])
    b = X.new_zeros(())
    losses = X.new_zeros(n_steps)
    for t in range(n_steps):
        losses[t] = logistic_loss(X, y, w, b)
        grad_w, grad_b = logistic_grad(X, y, w, b)  # both at the same (w, b)
        w, b = w - lr * grad_w, b - lr * grad_b
    return w, b, losses
