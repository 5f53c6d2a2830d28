import torch
import torch.nn.functional as F
from torch import Tensor


def logistic_loss(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> Tensor:
    """Mean binary cross-entropy of logistic regression, numerically stable.

    X: (N, D) float features; y: (N,) float labels, each 0.0 or 1.0; w: (D,) weights; b: 0-dim bias.
    z = X @ w + b (the logits). Returns a 0-dim tensor:
        loss = mean over n of  -[y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))]  =  mean( softplus(z) - y * z )
    It must stay finite and accurate for logits in the hundreds or thousands, of either sign.
    """
    # your code
    raise NotImplementedError


def logistic_grad(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """The gradient of logistic_loss, written by hand (derive it; no autograd).

    Returns (grad_w, grad_b): grad_w of shape (D,), grad_b 0-dim. Must stay finite for huge logits.
    """
    # your code
    raise NotImplementedError


def train_logistic_regression(X: Tensor, y: Tensor, lr: float, n_steps: int) -> tuple[Tensor, Tensor, Tensor]:
    """Full-batch gradient descent on logistic_loss, from w = zeros(D) and b = 0.

    Each step t = 0 .. n_steps - 1: record losses[t] = logistic_loss at the current (w, b), compute the gradient
    there, then update both at once: w <- w - lr * grad_w, b <- b - lr * grad_b.
    Returns (w, b, losses): w (D,), b 0-dim, losses (n_steps,) (empty when n_steps = 0).

    No autograd on this card: torch.autograd, .backward(), .requires_grad_(), torch.func and torch.optim are not
    allowed. Neither are F.binary_cross_entropy(_with_logits) and nn.BCE(WithLogits)Loss.
    torch.sigmoid, F.softplus, F.logsigmoid, torch.logaddexp and torch.log1p are fine.
    """
    # your code
    raise NotImplementedError
