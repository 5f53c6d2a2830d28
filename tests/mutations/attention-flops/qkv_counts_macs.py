# expect: term[qkv_proj]
def attention_flops(seq_len: int, d_model: int, num_heads: int, batch: int = 1) -> dict[str, int]:
    s, d, h = seq_len, d_model, num_heads
    flops = {
        "qkv_proj": 3 * s * d * d,  # three (s, D) @ (D, D)
        "qk_scores": 2 * s * s * d,  # h heads of (s, d_k) @ (d_k, s): h * 2 s^2 d_k
        "scale": h * s * s,  # one division per score
        "softmax": 3 * h * s * s,  # exp, sum, divide per score
        "attn_v": 2 * s * s * d,  # h heads of (s, s) @ (s, d_k)
        "out_proj": 2 * s * d * d,  # W_O: (s, D) @ (D, D)
    }
    flops = {name: batch * count for name, count in flops.items()}
    flops["total"] = sum(flops.values())
    return flops
