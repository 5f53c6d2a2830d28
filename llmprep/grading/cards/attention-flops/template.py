def attention_flops(seq_len: int, d_model: int, num_heads: int, batch: int = 1) -> dict[str, int]:
    """Forward FLOPs of one multi-head self-attention layer (no bias, no mask, no KV cache).

    Count 2 FLOPs per multiply-add. With s = seq_len, D = d_model, h = num_heads (d_k = D / h) and per
    sequence, return these keys (exactly these), each multiplied by batch:
        qkv_proj:  Q, K, V projections, three (s, D) @ (D, D)         = 6 * s * D^2
        qk_scores: Q K^T, per head (s, d_k) @ (d_k, s), all heads     = 2 * s^2 * D
        scale:     dividing every score by sqrt(d_k)                  = h * s^2
        softmax:   3 FLOPs per score (exp, sum, divide)               = 3 * h * s^2
        attn_v:    weights @ V, per head (s, s) @ (s, d_k), all heads = 2 * s^2 * D
        out_proj:  output projection W_O, (s, D) @ (D, D)            = 2 * s * D^2
        total:     the sum of the six terms above
    All values are Python ints (exact; use integer arithmetic).

    Correction: Note 004 (Q5) listed the QKV projections, QK^T, scaling, softmax and the product with V
    but omitted the output projection W_O (Vaswani et al.: MultiHead = Concat(head_1..head_h) W^O). It is
    counted here as out_proj and included in total, so the linear term is 8 s D^2, not 6 s D^2.

    Not allowed here: FLOP-counting libraries (fvcore, thop, ptflops, calflops, torch.utils.flop_counter).
    """
    # your code
    raise NotImplementedError
