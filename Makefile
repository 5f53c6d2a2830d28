PYTHON ?= python3
# pip resolves a range that the installed torch satisfies without touching it; only a missing torch is
# installed, pinned to the CPU build this project is tested with so that pip does not pull CUDA wheels.
TORCH_VERSION ?= 2.13.0

.PHONY: install test lint bench

install:
	$(PYTHON) -c "import torch" 2>/dev/null || $(PYTHON) -m pip install "torch==$(TORCH_VERSION)"
	$(PYTHON) -m pip install -e ".[dev]"

test: lint
	$(PYTHON) -m pytest -q

lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

bench:
	$(PYTHON) benchmarks/bench_startup.py
	$(PYTHON) benchmarks/bench_grade.py
	$(PYTHON) benchmarks/bench_stats.py
