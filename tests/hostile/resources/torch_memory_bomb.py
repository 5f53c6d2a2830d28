# expect-status: memory
import torch

big = torch.empty(1 << 40, dtype=torch.uint8)
