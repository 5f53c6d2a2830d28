# expect-status: banned
# card: softmax
# exp(log_softmax(x)) is softmax: a tensor method reached with a built name.
def softmax(x, dim=-1):
    return getattr(x, "log_" + "softmax")(dim).exp()
