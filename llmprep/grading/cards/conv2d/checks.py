"""Hidden checks for `conv2d`. The reference is torch's own convolution in float64, here in the judge."""

import torch.nn.functional as F

from llmprep.grading.harness import close


def pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def reference(x, weight, bias=None, stride=1, padding=0):
    return F.conv2d(x, weight, bias, stride=pair(stride), padding=pair(padding))


def suspects(x, weight, bias, stride, padding):
    (sh, sw), (ph, pw) = pair(stride), pair(padding)
    found = {
        "the kernel is flipped (true convolution); deep-learning conv2d is cross-correlation: no flip": reference(
            x, weight.flip(-1, -2), bias, stride, padding
        ),
    }
    if bias is not None:
        found["the bias is missing: add bias[o] to every output position of channel o"] = reference(
            x, weight, None, stride, padding
        )
    if sh != sw:
        found["the strides are swapped: stride = (along H, along W)"] = reference(x, weight, bias, (sw, sh), padding)
        found["stride[0] is used for both axes"] = reference(x, weight, bias, (sh, sh), padding)
    if ph != pw:
        found["the paddings are swapped: F.pad takes (left, right, top, bottom), the LAST dim first"] = reference(
            x, weight, bias, stride, (pw, ph)
        )
    if (ph or pw) and x.shape[-2] >= weight.shape[-2] and x.shape[-1] >= weight.shape[-1]:
        found["no padding was applied"] = reference(x, weight, bias, stride, 0)
    if sh > 1 or sw > 1:
        full = reference(x, weight, bias, 1, padding)
        found["the output was computed at stride 1 and then only part of it kept"] = full[
            ..., : full.shape[-2] // sh, : full.shape[-1] // sw
        ]
    return found


def check(sub, case, x_shape, w_shape, stride=None, padding=None, bias=True, what="output"):
    x = case.exact(case.randn(*x_shape))
    weight = case.exact(case.randn(*w_shape, scale=0.5))
    b = case.exact(case.randn(w_shape[0])) if bias else None
    kwargs = {}
    if stride is not None:
        kwargs["stride"] = stride
    if padding is not None:
        kwargs["padding"] = padding
    out = sub.call("conv2d", x, weight, b, **kwargs)
    stride = 1 if stride is None else stride
    padding = 0 if padding is None else padding
    expected = reference(x, weight, b, stride, padding)
    call = f"conv2d(x {tuple(x_shape)}, weight {tuple(w_shape)}, stride={stride}, padding={padding})"
    close(out, expected, case, what=f"{call}: {what}", suspects=suspects(x, weight, b, stride, padding))


def test_basic(sub, case):
    check(sub, case, (2, 3, 7, 8), (4, 3, 3, 3))


def test_no_bias(sub, case):
    check(sub, case, (1, 2, 6, 5), (3, 2, 3, 3), bias=False)


def test_padding(sub, case):
    check(sub, case, (2, 3, 6, 6), (2, 3, 3, 3), padding=1)
    # padding wider than the kernel: the border outputs see only zeros, so they equal the bias
    check(sub, case, (1, 2, 4, 5), (3, 2, 1, 1), padding=2, what="output (padding 2 around a 1x1 kernel)")


def test_stride(sub, case):
    check(sub, case, (2, 2, 9, 9), (3, 2, 3, 3), stride=2)


def test_output_size_floor(sub, case):
    # (H + 2p - k) / s is not an integer: H_out = floor(...) + 1, the last partial window is dropped
    check(sub, case, (1, 2, 8, 10), (2, 2, 3, 3), stride=2)
    check(sub, case, (2, 1, 7, 9), (2, 1, 2, 4), stride=3, padding=1)


def test_tuple_stride_and_padding(sub, case):
    # different values along H and W, and a non-square kernel
    check(sub, case, (2, 3, 9, 8), (4, 3, 3, 2), stride=(2, 1), padding=(1, 2))


def test_non_square_input_and_kernel(sub, case):
    check(sub, case, (1, 2, 5, 11), (3, 2, 2, 5))


def test_kernel_covers_input(sub, case):
    # kernel as large as the padded input: a single output position per channel
    check(sub, case, (3, 2, 4, 5), (2, 2, 6, 7), padding=1)


def test_one_by_one_kernel(sub, case):
    # a 1x1 convolution mixes channels only; with stride 2 it also subsamples
    check(sub, case, (2, 5, 6, 7), (4, 5, 1, 1), stride=2)


def test_gradients(sub, case):
    c_in, c_out, k = 3, 2, (3, 2)
    stride, padding = (2, 1), (1, 1)
    module = sub.new("Conv2d", c_in, c_out, k, stride, padding)
    shapes = {"weight": [c_out, c_in, *k], "bias": [c_out]}
    assert module.param_shapes == shapes, f"parameters {module.param_shapes}, expected {shapes} (keep Conv2d as given)"
    params = {"weight": case.exact(case.randn(c_out, c_in, *k, scale=0.5)), "bias": case.exact(case.randn(c_out))}
    module.load(params)
    x = case.exact(case.randn(2, c_in, 7, 6))
    expected_shape = reference(x, params["weight"], params["bias"], stride, padding).shape
    grad_out = case.exact(case.randn(*expected_shape))
    out, grads = module.backward("__call__", x, grad_out=grad_out, wrt=(0,))
    leaves = {n: t.clone().requires_grad_(True) for n, t in params.items()}
    x64 = x.clone().requires_grad_(True)
    expected = reference(x64, leaves["weight"], leaves["bias"], stride, padding)
    expected.backward(grad_out)
    close(out, expected.detach(), case, suspects=suspects(x, params["weight"], params["bias"], stride, padding))
    tol = {"rtol": case.rtol * 10, "atol": case.atol * 10}
    assert grads["inputs"][0] is not None, "no gradient reached x"
    close(grads["inputs"][0], x64.grad, case, what="gradient of x", **tol)
    for name, leaf in leaves.items():
        assert name in grads["params"], f"no gradient reached {name}"
        close(grads["params"][name], leaf.grad, case, what=f"gradient of {name}", **tol)
