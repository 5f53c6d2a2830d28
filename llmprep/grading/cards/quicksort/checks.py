"""Hidden checks for `quicksort`: quicksort(nums) returns nums in ascending order, in O(n log n)."""

import contextlib

import pytest

from llmprep.grading.judge import SubmissionFailure

BIG = 50_000  # O(n log n): well under a second; O(n^2): ~10^9 steps (or n levels of recursion)
SORTED_HINT = (
    "pick the pivot at random (or median-of-three): the first or last element makes sorted input O(n^2) "
    "and recurses n levels deep"
)
DUPLICATES_HINT = (
    "split into < pivot, == pivot, > pivot (three-way partition) and never recurse into the equal block: "
    "a two-way partition is O(n^2) on equal values"
)
RANDOM_HINT = (
    "expected O(n log n): keep the recursion depth O(log n) (recurse into the smaller side, loop on the larger)"
)


@contextlib.contextmanager
def too_slow_hint(hint):
    """A timeout or a RecursionError keeps its status and gets `hint` (the card hints only cover failures)."""
    try:
        yield
    except SubmissionFailure as exc:
        if exc.status == "timeout" or "RecursionError" in exc.message:
            raise SubmissionFailure(exc.status, f"{exc.message}\nhint: {hint}") from None
        raise


def ask(sub, nums, slow_hint=None):
    with too_slow_hint(slow_hint) if slow_hint else contextlib.nullcontext():
        got = sub.call("quicksort", list(nums))
    want = sorted(nums)
    shown = nums if len(nums) <= 12 else f"{len(nums)} values"
    if got is None:
        raise AssertionError(f"quicksort({shown}) returned None\nhint: return the sorted list (`return nums`)")
    assert isinstance(got, list), f"returned {type(got).__name__}, expected a list"
    if got == want:
        return
    if len(got) != len(want):
        message = f"quicksort({shown}) returned {len(got)} values, expected {len(want)}"
        if len(got) < len(want) and set(got) == set(want):
            message += "\nhint: copies of repeated values were lost: keep everything equal to the pivot"
        raise AssertionError(message)
    if got == want[::-1] and len(set(nums)) > 2:
        raise AssertionError(f"quicksort({shown}) is in descending order\nhint: sort ascending (smallest first)")
    first = next(i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b)
    raise AssertionError(
        f"quicksort({shown}): first difference at index {first}: got {got[first]}, expected {want[first]}"
        + (f" (returned {got})" if len(nums) <= 12 else "")
        + "\nhint: values are out of order: check the partition bounds (inclusive or exclusive ends) and that "
        "both sides are sorted"
    )


def test_small_random(sub, case):
    for n in (2, 7, 12):
        ask(sub, case.ints(n, -50, 50))


def test_returns_the_list(sub, case):
    ask(sub, case.ints(10, 0, 100))


def test_empty(sub, case):
    ask(sub, [])


def test_single_element(sub, case):
    ask(sub, case.ints(1, -100, 100))


def test_negative_values(sub, case):
    ask(sub, case.ints(20, -1000, 0))


def test_small_duplicates(sub, case):
    ask(sub, case.ints(12, 0, 3))


def test_already_sorted(sub, case):
    start = case.ints(1, -1000, 1000)[0]
    ask(sub, list(range(start, start + BIG)), SORTED_HINT)


def test_reverse_sorted(sub, case):
    start = case.ints(1, -1000, 1000)[0]
    ask(sub, list(range(start + BIG, start, -1)), SORTED_HINT)


@pytest.mark.parametrize("kind", ["all_equal", "few_distinct"])
def test_many_duplicates(sub, case, kind):
    if kind == "all_equal":
        ask(sub, [case.ints(1, -9, 9)[0]] * BIG, DUPLICATES_HINT)
    else:
        ask(sub, case.ints(BIG, 0, 3), DUPLICATES_HINT)


def test_large_random(sub, case):
    ask(sub, case.ints(BIG, -(10**9), 10**9), RANDOM_HINT)
