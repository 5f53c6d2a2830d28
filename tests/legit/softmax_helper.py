# card: softmax
# Correct softmax through a helper class whose own method is called softmax, and torch functions reached
# through getattr and an alias of the torch module.
import torch

T = torch


class Stable:
    def softmax(self, x, dim):
        shifted = x - x.amax(dim=dim, keepdim=True)
        e = getattr(T, "ex" + "p")(shifted)
        return e / e.sum(dim=dim, keepdim=True)

    def run(self, x, dim):
        return self.softmax(x, dim)


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    return Stable().run(x, dim)
