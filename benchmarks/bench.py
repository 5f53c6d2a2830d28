"""llmprep measured side by side with Anki's own library on one synthetic history (`make bench`).

One history (10,000 cards in 10 decks, 1,000,000 reviews over two years by default) is loaded into an llmprep
home and into an Anki collection; then, in interleaved rounds of fresh subprocesses, each figure is measured for
both, with the floors `python -c pass` and the dependency-stack import in the same rounds:

- first card: `llmprep study` until it shows the first card, vs Anki opening the collection, `sched.getCard()`,
  rendering the question, closing;
- stats: `llmprep stats --json` vs Anki's graphs over 365 days plus `studied_today()`;
- database size: llmprep's SQLite file (WAL folded in) vs Anki's collection file;
- grading: `llmprep code mha` on CPU vs `python -c "import torch"` (bench_grade.py);
- a scaling table (100k and 1M reviews; 3M with --scaling) for first card, stats and size.

CPU time (user+sys of the child) is the figure, wall time secondary; peak RSS is shown for study and stats.

    python benchmarks/bench.py [--quick] [--scale REVIEWS] [--cards N] [--rounds N] [--scaling]
                               [--only first-card,stats,size,grade,scaling] [--json PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import _anki_side as anki_side  # noqa: E402
import _llmprep_side as llmprep_side  # noqa: E402
import _postgres_side as postgres_side  # noqa: E402
from _common import PASS_NAME, STACK_NAME, Row, Run, command, floors, interleave, median, table  # noqa: E402
from _history import Spec, spec  # noqa: E402
from bench_grade import grade_table  # noqa: E402

PARTS = ("first-card", "stats", "size", "grade", "scaling")
STUDY_MARKER = "show answer"  # "Enter/Space: show answer · b bury ..."
LLMPREP_FIRST = "llmprep study: first card"
ANKI_FIRST = "Anki: first card"
LLMPREP_STATS = "llmprep stats --json"
PG_FIRST = "llmprep on PostgreSQL: first card"
PG_STATS = "llmprep on PostgreSQL: stats --json"
ANKI_STATS = "Anki: graphs + studied_today"
DEFAULT_RESULTS = HERE / "results" / "latest.json"


class Fixture:
    """One history loaded into both systems, under `root`."""

    def __init__(self, root: Path, history: Spec, with_anki: bool) -> None:
        self.spec = history
        self.home, self.decks = root / "home", root / "decks"
        started = time.perf_counter()
        self.db = llmprep_side.build(self.home, self.decks, history)
        self.llmprep_build_s = time.perf_counter() - started
        self.check_llmprep()
        self.collection: Path | None = None
        self.pg_url: str | None = None
        self.anki_build_s = 0.0
        if with_anki:
            started = time.perf_counter()
            self.collection = anki_side.build(root / "anki" / "collection.anki2", history)
            self.anki_build_s = time.perf_counter() - started
        print(
            f"built {history.cards:,} cards, {history.reviews:,} reviews: llmprep {self.llmprep_build_s:.0f}s"
            + (f", Anki {self.anki_build_s:.0f}s" if with_anki else ""),
            flush=True,
        )

    def check_llmprep(self) -> None:
        """llmprep's own stats count every review loaded (this also builds the deck cache)."""
        args = [sys.executable, "-m", "llmprep", "stats", "--json"]
        out = subprocess.run(args, env=self.env, capture_output=True, text=True, check=True).stdout
        counted = json.loads(out).get("reviews")
        if isinstance(counted, int) and counted != self.spec.reviews:
            raise RuntimeError(f"llmprep stats counts {counted} reviews, {self.spec.reviews} were loaded")

    @property
    def env(self) -> dict[str, str]:
        return llmprep_side.env_for(self.home, self.decks)

    def llmprep(self, *args: str, wait_for: str | None = None, env: dict[str, str] | None = None) -> Run:
        return command([sys.executable, "-m", "llmprep", *args], env or self.env, wait_for=wait_for)

    def attach_postgres(self, running: object) -> None:
        """The same history on a PostgreSQL server: its first card and stats are measured beside SQLite's."""
        self.pg_url, seconds = postgres_side.load(running, self.env)
        print(f"copied the history to PostgreSQL in {seconds:.0f}s (llmprep db copy --to URL)", flush=True)

    def contenders(self, parts: set[str]) -> dict[str, Run]:
        runs: dict[str, Run] = {}
        pg_env = {**self.env, "LLMPREP_DB": self.pg_url} if self.pg_url else None
        if "first-card" in parts:
            runs[LLMPREP_FIRST] = self.llmprep("study", "--lang", "en", wait_for=STUDY_MARKER)
            if self.collection:
                runs[ANKI_FIRST] = command(anki_side.first_card_args(self.collection))
            if pg_env:
                runs[PG_FIRST] = self.llmprep("study", "--lang", "en", wait_for=STUDY_MARKER, env=pg_env)
        if "stats" in parts:
            runs[LLMPREP_STATS] = self.llmprep("stats", "--json")
            if self.collection:
                runs[ANKI_STATS] = command(anki_side.stats_args(self.collection))
            if pg_env:
                runs[PG_STATS] = self.llmprep("stats", "--json", env=pg_env)
        return runs

    def sizes(self) -> dict[str, int]:
        sizes = {"llmprep": llmprep_side.database_bytes(self.db)}
        if self.collection:
            sizes["anki"] = anki_side.collection_bytes(self.collection)
        return sizes


def startup_and_stats(fixture: Fixture, parts: set[str], rounds: int) -> dict[str, Any]:
    contenders = {**floors(), "llmprep --help": fixture.llmprep("--help"), **fixture.contenders(parts)}
    samples = interleave(contenders, rounds)
    head = f"{fixture.spec.cards:,} cards, {fixture.spec.reviews:,} reviews, {rounds} interleaved rounds"
    floor_rows = [Row(PASS_NAME), Row(STACK_NAME)]
    out: dict[str, Any] = {}
    if "first-card" in parts:
        rows = [
            *floor_rows,
            Row("llmprep --help"),
            Row(LLMPREP_FIRST, ANKI_FIRST, rss=True, goal_anki=0.9),
            Row(PG_FIRST, ANKI_FIRST, rss=True),
            Row(ANKI_FIRST, rss=True),
        ]
        out["first_card"] = table(f"first card, {head}", rows, samples, STACK_NAME)
    if "stats" in parts:
        rows = [
            *floor_rows,
            Row(LLMPREP_STATS, ANKI_STATS, rss=True, goal_anki=0.9),
            Row(PG_STATS, ANKI_STATS, rss=True),
            Row(ANKI_STATS, rss=True),
        ]
        out["stats"] = table(f"stats, {head}", rows, samples, STACK_NAME)
    return out


def size_table(fixture: Fixture) -> dict[str, Any]:
    sizes = fixture.sizes()
    print(f"\ndatabase size, {fixture.spec.cards:,} cards, {fixture.spec.reviews:,} reviews")
    for name, size in sizes.items():
        ratio = f"   {size / sizes['anki']:5.2f}x Anki" if "anki" in sizes else ""
        print(f"  {name:10} {size / 2**20:9.1f} MB  {size / fixture.spec.reviews:6.0f} bytes/review{ratio}")
    return {name: {"bytes": size} for name, size in sizes.items()}


def scaling_points(options: argparse.Namespace) -> list[int]:
    if options.quick:
        return sorted({options.scale // 4, options.scale})
    points = {100_000, 1_000_000, options.scale} | ({3_000_000} if options.scaling else set())
    return sorted(points)


def scaling_table(root: Path, main: Fixture, options: argparse.Namespace, with_anki: bool) -> list[dict[str, Any]]:
    """First card, stats and size at each scale; CPU medians of a few interleaved rounds."""
    results = []
    for reviews in scaling_points(options):
        if reviews == main.spec.reviews:
            fixture = main
        else:
            fixture = Fixture(root / f"scale-{reviews}", spec(options.cards, reviews, options.seed), with_anki)
        samples = interleave(fixture.contenders({"first-card", "stats"}), options.scaling_rounds)
        cpu = {name: median([s.cpu for s in values]) for name, values in samples.items()}
        results.append({"reviews": reviews, "cpu_median_s": cpu, "bytes": fixture.sizes()})
    _print_scaling(results, options.scaling_rounds)
    return results


def _print_scaling(results: list[dict[str, Any]], rounds: int) -> None:
    names = [LLMPREP_FIRST, ANKI_FIRST, LLMPREP_STATS, ANKI_STATS]
    short = ["llmprep first", "Anki first", "llmprep stats", "Anki stats"]
    print(f"\nscaling: CPU median s ({rounds} interleaved rounds), database MB")
    print(f"  {'reviews':>10} " + " ".join(f"{s:>14}" for s in short) + f" {'llmprep MB':>11} {'Anki MB':>9}")
    for r in results:
        cells = [f"{r['cpu_median_s'][n]:14.3f}" if n in r["cpu_median_s"] else f"{'-':>14}" for n in names]
        anki_mb = f"{r['bytes']['anki'] / 2**20:9.1f}" if "anki" in r["bytes"] else f"{'-':>9}"
        print(f"  {r['reviews']:>10,} " + " ".join(cells) + f" {r['bytes']['llmprep'] / 2**20:11.1f} {anki_mb}")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 cards, 20,000 reviews, 3 rounds")
    parser.add_argument("--scale", type=int, help="reviews in the history (default 1,000,000)")
    parser.add_argument("--cards", type=int, help="cards in the history (default 10,000)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 7)")
    parser.add_argument("--scaling", action="store_true", help="add 3,000,000 reviews to the scaling table (slow)")
    parser.add_argument("--scaling-rounds", type=int, default=3)
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=DEFAULT_RESULTS, help="where the results go")
    options = parser.parse_args(argv)
    options.scale = options.scale or (20_000 if options.quick else 1_000_000)
    options.cards = options.cards or (2_000 if options.quick else 10_000)
    options.rounds = options.rounds or (3 if options.quick else 7)
    options.parts = set(options.only.split(","))
    unknown = options.parts - set(PARTS)
    if unknown:
        parser.error(f"unknown --only part(s): {', '.join(sorted(unknown))}")
    return options


def meta(options: argparse.Namespace, fixture: Fixture | None, with_anki: bool) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "anki": anki_side.version() if with_anki else None,
        "cards": options.cards,
        "reviews": options.scale,
        "rounds": options.rounds,
        "quick": options.quick,
        "build_s": {"llmprep": fixture.llmprep_build_s, "anki": fixture.anki_build_s} if fixture else None,
    }


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    missing = anki_side.available()
    if missing:
        print(missing)
    with_anki = missing is None
    results: dict[str, Any] = {}
    fixture: Fixture | None = None
    no_postgres = postgres_side.available() if options.parts & {"first-card", "stats"} else "not asked"
    if no_postgres and no_postgres != "not asked":
        print(no_postgres)
    with tempfile.TemporaryDirectory(prefix="llmprep-bench-") as tmp, contextlib.ExitStack() as stack:
        if options.parts - {"grade"}:
            fixture = Fixture(Path(tmp) / "main", spec(options.cards, options.scale, options.seed), with_anki)
        if fixture and not no_postgres:
            fixture.attach_postgres(stack.enter_context(postgres_side.server()))
        if fixture and options.parts & {"first-card", "stats"}:
            results.update(startup_and_stats(fixture, options.parts, options.rounds))
        if fixture and "size" in options.parts:
            results["size"] = size_table(fixture)
        if "grade" in options.parts:
            results["grade"] = grade_table(options.rounds)
        if fixture and "scaling" in options.parts:
            results["scaling"] = scaling_table(Path(tmp), fixture, options, with_anki)
    results["meta"] = meta(options, fixture, with_anki)
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nresults: {options.json}")


if __name__ == "__main__":
    main()
