import math

import torch
import torch.nn as nn
from torch import Tensor


def rope(x: Tensor, positions: Tensor, base: float = 10000.0) -> Tensor:
    """Given (keep it as it is; use it): rotary embedding in the rotate-half layout.
    x: (..., L, d) with d even; positions: (L,) integers. Dimension i is paired with i + d/2 and rotated by
    position * base**(-2i/d)."""
    d = x.shape[-1]
    inv_freq = base ** (-torch.arange(0, d, 2, device=x.device, dtype=torch.float64) / d)
    angles = positions.to(torch.float64)[:, None] * inv_freq  # (L, d/2)
    angles = torch.cat((angles, angles), dim=-1)
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
    rotated = torch.cat((-x[..., d // 2 :], x[..., : d // 2]), dim=-1)
    return x * cos + rotated * sin


class MLA(nn.Module):
    """Multi-head Latent Attention (DeepSeek-V2, §2.1.2-2.1.3), causal self-attention, simplified: no query
    compression (as in DeepSeek-V2-Lite), no norms on the latents. DeepSeek-V2 itself uses n_heads = 128,
    d_head = 128, d_latent = 4 * d_head = 512, d_rope = d_head / 2 = 64; the checks use small sizes.

    __init__(d_model, n_heads, d_head, d_latent, d_rope, rope_base=10000.0): create exactly these layers,
    all nn.Linear(..., bias=False), and no other parameters:
        self.w_dkv = nn.Linear(d_model, d_latent)            # W^DKV: down-projection to the KV latent
        self.w_uk  = nn.Linear(d_latent, n_heads * d_head)   # W^UK:  latent -> content keys of all heads
        self.w_uv  = nn.Linear(d_latent, n_heads * d_head)   # W^UV:  latent -> values of all heads
        self.w_kr  = nn.Linear(d_model, d_rope)              # W^KR:  ONE decoupled RoPE key, shared by all heads
        self.w_q   = nn.Linear(d_model, n_heads * d_head)    # W^Q:   content queries
        self.w_qr  = nn.Linear(d_model, n_heads * d_rope)    # W^QR:  decoupled RoPE queries, one per head
        self.w_o   = nn.Linear(n_heads * d_head, d_model)    # W^O
    Outputs of size n_heads * X split into heads as view(B, L, n_heads, X): head i owns features i*X..(i+1)*X-1.

    compress_kv(h) -> (c_kv, k_rope): what the KV cache stores per token, h (B, L, d_model):
        c_kv   = W^DKV h                       (B, L, d_latent)
        k_rope = RoPE(W^KR h) at positions 0..L-1   (B, L, d_rope)

    forward(h) -> (B, L, d_model), with positions 0..L-1 and, for head i:
        k^C_i = (W^UK c_kv)_i,  v_i = (W^UV c_kv)_i,  q^C_i = (W^Q h)_i,  q^R_i = RoPE((W^QR h)_i)
        q_i = [q^C_i ; q^R_i],   k_i = [k^C_i ; k_rope]          (concatenated on the feature axis)
        o_i = softmax(q_i k_i^T / sqrt(d_head + d_rope), keys j <= i only) v_i
        out = W^O [o_1 ; ... ; o_n_heads]
    RoPE only on the decoupled parts (q^R, k^R), never on q^C, k^C or c_kv.

    Not allowed here: F.scaled_dot_product_attention, nn.MultiheadAttention, F.multi_head_attention_forward.
    """

    def __init__(self, d_model: int, n_heads: int, d_head: int, d_latent: int, d_rope: int, rope_base: float = 10000.0):
        super().__init__()
        # your code

    def compress_kv(self, h: Tensor) -> tuple[Tensor, Tensor]:
        # your code
        raise NotImplementedError

    def forward(self, h: Tensor) -> Tensor:
        # your code
        raise NotImplementedError
