"""Hidden checks for `quickselect`: kth_largest(nums, k), k 1-based from the top, expected O(n)."""

import contextlib

import pytest
import torch

from llmprep.grading.judge import SubmissionFailure

BIG = 100_000  # O(n): ~10 ms; O(n^2): ~5 * 10^9 steps, minutes
SORTED_HINT = "pick the pivot at random (or median-of-three): the first or last element is O(n^2) on sorted input"
DUPLICATES_HINT = (
    "set every value equal to the pivot aside in one pass (three-way partition): a two-way partition moves "
    "one element per pass when values are equal, O(n^2)"
)
RANDOM_HINT = "expected O(n): continue into ONE part only, with a loop rather than recursion"


def reference(nums, k):
    return sorted(nums, reverse=True)[k - 1]


@contextlib.contextmanager
def too_slow_hint(hint):
    """A timeout or a RecursionError keeps its status and gets `hint` (the card hints only cover failures)."""
    try:
        yield
    except SubmissionFailure as exc:
        if exc.status == "timeout" or "RecursionError" in exc.message:
            raise SubmissionFailure(exc.status, f"{exc.message}\nhint: {hint}") from None
        raise


def ask(sub, nums, k, slow_hint=None):
    """The submission's answer for (nums, k), compared with the reference; wrong answers get a diagnosis."""
    with too_slow_hint(slow_hint) if slow_hint else contextlib.nullcontext():
        got = sub.call("kth_largest", list(nums), k)
    if isinstance(got, torch.Tensor) and got.numel() == 1 and not got.is_floating_point():
        got = int(got.item())
    assert isinstance(got, int) and not isinstance(got, bool), f"returned {type(got).__name__}, expected an int"
    desc = sorted(nums, reverse=True)
    want = desc[k - 1]
    if got == want:
        return
    shown = nums if len(nums) <= 12 else f"{len(nums)} values"
    message = f"kth_largest({shown}, k={k}) returned {got}, expected {want}"
    if got == desc[len(nums) - k]:
        message += "\nhint: that is the k-th SMALLEST value: k=1 means the maximum"
    elif (k < len(nums) and got == desc[k]) or (k >= 2 and got == desc[k - 2]):
        message += "\nhint: off by one: k is 1-based (k=1 is the largest, at index 0 of the descending order)"
    else:
        message += "\nhint: check which part holds the answer, and subtract the sizes of the parts you skip from k"
    raise AssertionError(message)


def test_small_random(sub, case):
    for n in (5, 9, 16):
        nums = case.ints(n, -50, 50)
        ask(sub, nums, case.ints(1, 1, n + 1)[0])


def test_k_is_one_based_largest(sub, case):
    nums = [3 * v + 1 for v in torch.randperm(10, generator=case.generator).tolist()]  # distinct
    ask(sub, nums, 1)  # the maximum
    ask(sub, nums, 3)
    ask(sub, nums, len(nums))  # the minimum


def test_every_k(sub, case):
    # many ties, and a block of equal values between larger and smaller ones: every slot of it is asked for
    for nums in (case.ints(12, 0, 5), [3, 7, 7, 7, 1, 9, 7, 2]):
        for k in range(1, len(nums) + 1):
            ask(sub, nums, k)


def test_single_element(sub, case):
    ask(sub, case.ints(1, -100, 100), 1)


def test_negative_values(sub, case):
    nums = case.ints(15, -1000, 0)
    for k in (1, 8, 15):
        ask(sub, nums, k)


@pytest.mark.parametrize("kind", ["all_equal", "few_distinct"])
def test_many_duplicates(sub, case, kind):
    # an O(n^2) partition (Lomuto, or a two-way split that keeps equal values together with one side)
    # needs ~5 * 10^9 steps here and runs out of time; a three-way partition takes one pass
    nums = [case.ints(1, -9, 9)[0]] * BIG if kind == "all_equal" else case.ints(BIG, 0, 3)
    ask(sub, nums, case.ints(1, 1, BIG + 1)[0], DUPLICATES_HINT)


def test_sorted_input(sub, case):
    nums = list(range(-BIG // 2, BIG // 2))
    if case.ints(1, 0, 2)[0]:
        nums.reverse()
    ask(sub, nums, BIG // 4, SORTED_HINT)


def test_large_random(sub, case):
    nums = case.ints(BIG, -(10**9), 10**9)
    ask(sub, nums, case.ints(1, 1, BIG + 1)[0], RANDOM_HINT)
