"""Hidden checks for `softmax`. The reference runs in float64 here, in the judge."""

import pytest
import torch

from llmprep.grading.harness import close


def reference(x, dim=-1):
    return torch.softmax(x, dim=dim)


def suspects(x, dim=-1):
    found = {
        "normalised over the whole tensor: sum over `dim` only (keepdim=True)": torch.exp(x - x.max())
        / torch.exp(x - x.max()).sum(),
    }
    if x.dim() > 1 and dim % x.dim() != x.dim() - 1:
        found["softmax ran over the last dim: use the `dim` argument"] = torch.softmax(x, dim=-1)
    return found


def run(sub, case, x, dim=None):
    x = case.exact(x)
    out = sub.call("softmax", x) if dim is None else sub.call("softmax", x, dim=dim)
    d = -1 if dim is None else dim
    close(out, reference(x, d), case, suspects=suspects(x, d))


def test_last_dim(sub, case):
    run(sub, case, case.randn(4, 9, scale=2.0))


@pytest.mark.parametrize("dim", [0, 1, -2])
def test_other_dims(sub, case, dim):
    run(sub, case, case.randn(3, 5, 7, scale=2.0), dim)


def test_large_inputs(sub, case):
    run(sub, case, case.randn(3, 8, offset=1000.0))


def test_very_negative_inputs(sub, case):
    run(sub, case, case.randn(3, 8, offset=-1000.0))


def test_rows_with_different_offsets(sub, case):
    offsets = torch.tensor([[0.0], [-300.0], [150.0], [-80.0]], dtype=torch.float64)
    run(sub, case, case.randn(4, 6) + offsets)


def test_wide_range_row(sub, case):
    # one slice spans hundreds: shifting by the mean still overflows exp
    run(sub, case, case.randn(3, 10, scale=150.0))


def test_masked_entries(sub, case):
    x = case.exact(case.randn(4, 6))
    mask = torch.ones(4, 6, dtype=torch.bool).triu(1)  # causal-style: row i keeps columns 0..i
    run(sub, case, x.masked_fill(mask, float("-inf")))


def test_single_element(sub, case):
    run(sub, case, case.randn(5, 1, scale=10.0))
    run(sub, case, case.randn(2, 1, 3), 1)
