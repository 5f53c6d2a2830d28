"""Hidden checks for `kmeans`. The reference runs in float64 here, in the judge.

Assignments are compared exactly, so every input is drawn until, at every assignment step of the reference,
each point's nearest centroid beats the second nearest by a clear margin (relative to the squared norms
involved, far above float32 rounding, also of the ||x||^2 - 2 x.c + ||c||^2 expansion): a correct float32
solution then makes exactly the reference's choices.
"""

import torch

from llmprep.grading.harness import close


def distances(x, c, metric="l2"):
    diff = x[:, None, :] - c[None, :, :]
    return diff.abs().sum(-1) if metric == "l1" else (diff**2).sum(-1)


def lloyd(x, c, n_iters, *, pick="min", metric="l2", empty="keep", online=False, divide_by="count", stale=False):
    """Float64 Lloyd's algorithm -> (centroids, assignments, smallest relative margin of any assignment).
    The keyword arguments produce classic mistakes, used as hints."""
    c = c.clone()
    margin = float("inf")

    def assign(c):
        nonlocal margin
        d = distances(x, c, metric)
        if c.shape[0] > 1 and metric == "l2":
            two = d.topk(2, dim=1, largest=False)
            scale = (x**2).sum(-1) + (c**2).sum(-1)[two.indices].amax(-1) + 1.0
            margin = min(margin, ((two.values[:, 1] - two.values[:, 0]) / scale).min().item())
        return d.argmax(1) if pick == "max" else d.argmin(1)

    a = assign(c)
    for step in range(n_iters):
        a = assign(c)
        if online:  # MacQueen: move the winning centroid after each point
            counts = torch.ones(c.shape[0], dtype=torch.float64)
            for n in range(x.shape[0]):
                k = int(distances(x[n : n + 1], c).argmin(1))
                counts[k] += 1
                c[k] += (x[n] - c[k]) / counts[k]
            continue
        new = c.clone()
        for k in range(c.shape[0]):
            members = x[a == k]
            if len(members):
                new[k] = members.sum(0) / (len(members) if divide_by == "count" else x.shape[0])
            elif empty == "zero":
                new[k] = 0.0
            elif empty == "nan":
                new[k] = float("nan")
            elif empty == "reseed":
                new[k] = x[step % x.shape[0]]
        c = new
    final = a if stale and n_iters > 0 else assign(c)
    return c, final, margin


def suspects(x, c0, n_iters):
    variants = {
        "argmax: each point goes to its NEAREST centroid (argmin of the distance)": {"pick": "max"},
        "L1 distance: k-means uses the squared Euclidean distance": {"metric": "l1"},
        "online update (one point at a time); Lloyd's update moves all centroids at once, after all assignments": {
            "online": True
        },
        "the sums were divided by N; each centroid is the mean of ITS points (divide by the cluster's count)": {
            "divide_by": "N"
        },
        "an empty cluster's centroid was set to 0; it must keep its previous value": {"empty": "zero"},
        "an empty cluster was re-seeded; the rule here is to keep its previous centroid": {"empty": "reseed"},
    }
    found = {}
    for hint, kw in variants.items():
        found[hint] = lloyd(x, c0, n_iters, **kw)[:2]
    if n_iters > 0:
        found[
            "the assignments are those of the last assignment step; return the assignment to the RETURNED centroids"
        ] = lloyd(x, c0, n_iters, stale=True)[:2]
        found[f"{n_iters - 1} iterations were run; run exactly n_iters = {n_iters}"] = lloyd(x, c0, n_iters - 1)[:2]
    found[f"{n_iters + 1} iterations were run; run exactly n_iters = {n_iters}"] = lloyd(x, c0, n_iters + 1)[:2]
    return found


def threshold(case):
    """The smallest relative margin accepted: 100 ulps in float32; 20 in the 16-bit dtypes (CUDA only), where
    more would rule out almost every input."""
    return (100 if case.dtype == torch.float32 else 20) * torch.finfo(case.dtype).eps


def draw(case, n, d, k, n_iters, *, far=0, accept=None, spread=3.0, noise=1.0):
    """Blobs and Forgy initial centroids (k distinct points), plus `far` centroids no point is ever near;
    drawn again until the margins are clear (and `accept` holds). Noise shrinks if draws keep failing; after
    200 draws the one with the clearest margins is used."""
    best, best_margin = None, -1.0
    for attempt in range(200):
        scale = noise * 0.85 ** (attempt // 10)
        centers = case.randn(max(k - far, 1), d, scale=spread)
        labels = case.randint(0, centers.shape[0], (n,))
        x = case.exact(centers[labels] + case.randn(n, d, scale=scale))
        chosen = torch.argsort(case.rand(n))[: k - far]
        c0 = x[chosen].clone()
        if far:
            c0 = torch.cat((c0, case.exact(case.randn(far, d, scale=2.0) + 40.0 * spread)))
        margin = lloyd(x, c0, n_iters + 1)[2]
        if accept is not None and not accept(x, c0):
            continue
        if margin >= threshold(case):
            return x, c0
        if margin > best_margin:
            best, best_margin = (x, c0), margin
    assert best is not None, "internal: no input passed `accept`"
    return best


def check(sub, case, x, c0, n_iters, what=""):
    reply = sub.call("kmeans", x, c0, n_iters)
    call = f"kmeans(x {tuple(x.shape)}, centroids {tuple(c0.shape)}, n_iters={n_iters}){what}"
    assert isinstance(reply, list | tuple) and len(reply) == 2, (
        f"{call} returned {type(reply).__name__}; expected a tuple (centroids, assignments)"
    )
    want_c, want_a, _ = lloyd(x, c0, n_iters)
    got_c, got_a = reply
    if isinstance(got_c, torch.Tensor) and got_c.is_floating_point() and torch.isnan(got_c).any():
        row = int(torch.isnan(got_c).any(-1).nonzero()[0])
        raise AssertionError(
            f"{call}: centroid {row} is nan; a cluster with no points divides 0 by 0"
            "\nhint: an empty cluster keeps its previous centroid (no 0/0)"
        )
    try:
        close(got_c, want_c, case, what=f"{call}: centroids")
    except AssertionError:  # only now run the mistaken variants, to name the mistake
        found = suspects(x, c0, n_iters)
        close(got_c, want_c, case, what=f"{call}: centroids", suspects={h: v[0] for h, v in found.items()})
    assert isinstance(got_a, torch.Tensor), f"{call}: assignments are {type(got_a).__name__}, expected a tensor"
    assert not got_a.is_floating_point(), f"{call}: assignments have dtype {got_a.dtype}, expected int64 indices"
    assert tuple(got_a.shape) == (x.shape[0],), (
        f"{call}: assignments have shape {tuple(got_a.shape)}, expected ({x.shape[0]},)"
    )
    got_a = got_a.to(torch.int64)
    if not torch.equal(got_a, want_a):
        wrong = (got_a != want_a).nonzero().flatten().tolist()
        found = suspects(x, c0, n_iters)
        hint = next((h for h, v in found.items() if torch.equal(got_a, v[1])), "")
        raise AssertionError(
            f"{call}: {len(wrong)} of {x.shape[0]} assignments differ; point {wrong[0]} got {int(got_a[wrong[0]])}, "
            f"expected {int(want_a[wrong[0]])} (its nearest returned centroid)" + (f"\nhint: {hint}" if hint else "")
        )


def differs(a, b):
    return not (torch.allclose(a[0], b[0], rtol=1e-3, atol=1e-3) and torch.equal(a[1], b[1]))


def test_one_iteration(sub, case):
    def telling(x, c0):  # inputs on which the L1 distance would assign some point differently
        return differs(lloyd(x, c0, 1)[:2], lloyd(x, c0, 1, metric="l1")[:2])

    check(sub, case, *draw(case, 40, 2, 3, 1, accept=telling), 1)


def test_several_iterations(sub, case):
    # the centroids still move at iteration n_iters: one iteration more or less gives another answer
    n = 4

    def moving(x, c0):
        runs = [lloyd(x, c0, m)[:2] for m in (n - 1, n, n + 1)]
        return differs(runs[0], runs[1]) and differs(runs[1], runs[2])

    check(sub, case, *draw(case, 120, 3, 5, n, accept=moving, spread=1.5), n)


def test_zero_iterations(sub, case):
    x, c0 = draw(case, 30, 2, 4, 0)
    check(sub, case, x, c0, 0, what=" (n_iters = 0: the initial centroids and their assignments)")


def test_empty_cluster(sub, case):
    # the last centroid is far from every point: it never gets a point and must keep its value
    x, c0 = draw(case, 50, 3, 4, 3, far=1)
    check(sub, case, x, c0, 3, what=" (the last centroid gets no point)")


def test_assignments_match_returned_centroids(sub, case):
    # the last update moves some point to another centroid: the returned assignments must see that
    n = 2

    def moved(x, c0):
        return not torch.equal(lloyd(x, c0, n)[1], lloyd(x, c0, n, stale=True)[1])

    check(sub, case, *draw(case, 80, 2, 4, n, accept=moved, spread=1.5), n)


def test_single_cluster(sub, case):
    x = case.exact(case.randn(25, 4, scale=2.0, offset=1.0))
    check(sub, case, x, x[:1].clone(), 2, what=" (K = 1: the centroid is the mean of all points)")


def test_converged_input(sub, case):
    # well-separated blobs: Lloyd's algorithm reaches its fixed point long before n_iters
    x, c0 = draw(case, 60, 2, 3, 20, spread=10.0, noise=0.5)
    check(sub, case, x, c0, 20)


def test_higher_dimension(sub, case):
    check(sub, case, *draw(case, 150, 16, 6, 3), 3)
