# The two commands the README starts with. Both build the virtualenv first.
#   make demo : set up .venv and run `rebalance compare` on the built-in dataset
#   make test : set up .venv and run the whole test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH_VERSION ?= 2.13.0
# Where torch comes from (default: the configured package index). For the
# CPU-only build on Linux: make setup TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_INDEX ?=

.PHONY: setup demo test lint docs bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet torch==$(TORCH_VERSION) $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(BIN)/python -m pip install --quiet -e ".[torch,triton,dev]"
	# numba compiles each kernel on first use, once per argument types: here
	# once into its disk cache (two processes), not in every test worker.
	$(BIN)/python -m rebalance._warmup
	# pytest rewrites the asserts of each test module and compiles it on its
	# first collection (about 30 s for the suite's 540-odd files, in each test
	# worker): once here, into __pycache__ (a failure shows in `make test`).
	-env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest --collect-only -q -p no:cacheprovider > /dev/null
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/rebalance compare

# Two workers (the 2-core CI machine); a test file stays on one worker, so a
# module's expensive fixture (a Lightning DDP run, ...) is built once. Files
# are handed out in the order conftest.py gives them (slow ones first), not
# xdist's by-test-count order, which left the slow one-test files to the end.
# Bytecode is cached even where PYTHONDONTWRITEBYTECODE is set: the suite's
# hundred-odd subprocesses would otherwise each compile rebalance again.
test: setup
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=25

# mypy is a static check like ruff: here (CI runs `make lint` before `make
# test`), not in the timed test suite.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m mypy rebalance

docs: setup
	$(BIN)/python -m sphinx -b html -W --keep-going docs docs/_build/html

bench: setup
	$(BIN)/python benchmarks/bench_samplers.py

clean:
	rm -rf $(VENV)
