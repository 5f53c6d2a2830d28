# expect-status: banned
# card: softmax
# softmax(x) == softmin(-x): a composite of the banned op under another name (the name hidden from the scan).
import torch.nn.functional as F

softmin = getattr(F, "soft" + "min")


def softmax(x, dim=-1):
    return softmin(-x, dim=dim)
