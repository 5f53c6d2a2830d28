PYTHON ?= python3
# pip resolves a range that the installed torch satisfies without touching it; only a missing torch is
# installed, pinned to the CPU build this project is tested with so that pip does not pull CUDA wheels.
TORCH_VERSION ?= 2.13.0
# e.g. TORCH_PIP_ARGS="--index-url <PyTorch's CPU wheel index>" where pip would otherwise pick the CUDA build
TORCH_PIP_ARGS ?=

.PHONY: install test test-fast lint bench

install:
	@# libseccomp2 is the grading sandbox's second layer; Debian-based machines have it, a bare one gets it here.
	@ldconfig -p 2>/dev/null | grep -q libseccomp.so.2 || (apt-get update -qq && apt-get install -y -qq libseccomp2) \
		|| echo "libseccomp2 is missing: grading will run without its seccomp layer"
	@# the PostgreSQL tests start a server with the machine's initdb/pg_ctl (PATH or Debian's /usr/lib/postgresql)
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq postgresql) \
		|| echo "PostgreSQL is missing: the PostgreSQL tests will be skipped"
	$(PYTHON) -c "import torch" 2>/dev/null || $(PYTHON) -m pip install $(TORCH_PIP_ARGS) "torch==$(TORCH_VERSION)"
	$(PYTHON) -m pip install -e ".[dev,postgres]"

# -n auto: one pytest worker per CPU (pytest-xdist); most tests wait on sandboxed workers and subprocesses
test: lint
	$(PYTHON) -m pytest -q -n auto

test-fast: lint
	$(PYTHON) -m pytest -q -n auto -m "not slow"

lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

# side by side with Anki's library (the bench extra), with the 100k/1M/3M scaling table (about 20 minutes);
# BENCH_ARGS="--quick" is a smoke run
BENCH_ARGS ?= --scaling
bench:
	$(PYTHON) benchmarks/bench.py $(BENCH_ARGS)
