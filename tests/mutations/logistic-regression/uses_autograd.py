# expect: gradient
import torch.nn.functional as F
from torch import Tensor


def logistic_loss(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> Tensor:
    z = X @ w + b
    return (F.softplus(z) - y * z).mean()


def logistic_grad(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    w = w.detach().clone()
    b = b.detach().clone()
    w.requires_grad = True  # an attribute write, then autograd does the work
    b.requires_grad = True
    loss = logistic_loss(X, y, w, b)
    getattr(loss, "back" + "ward")()
    return w.grad.detach(), b.grad.detach()


def train_logistic_regression(X: Tensor, y: Tensor, lr: float, n_steps: int) -> tuple[Tensor, Tensor, Tensor]:
    w = X.new_zeros(X.shape[1])
    b = X.new_zeros(())
    losses = X.new_zeros(n_steps)
    for t in range(n_steps):
        losses[t] = logistic_loss(X, y, w, b)
        grad_w, grad_b = logistic_grad(X, y, w, b)
        w, b = w - lr * grad_w, b - lr * grad_b
    return w, b, losses
