# Two entry points: `make demo` and `make test`. Each builds .venv from uv.lock when needed.
# Needs only Python 3.11+ and make: uv itself comes from PyPI, pinned with hashes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.floorboard-synced
# Never let uv fetch an interpreter of its own: the venv uses $(PYTHON).
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test lint lock-check lock bench fuzz clean

$(UV): requirements/uv.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		--no-deps -r requirements/uv.txt
	touch $(UV)

# Exactly the locked versions: --frozen never re-resolves, so an upstream release changes nothing.
# Bytecode is compiled here, once: where Python may not write __pycache__ (PYTHONDONTWRITEBYTECODE,
# a read-only environment), every process would compile its ~900 modules again, ≈ 2 s a start.
$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet --compile-bytecode
	touch $(STAMP)

# The engine compiled with mypyc, again whenever it or what it is typed against (config, events)
# changes; without a C compiler the pure-Python engine runs, and the next make tries again.
ENGINE := $(VENV)/.floorboard-engine-compiled
ENGINE_SOURCES := $(wildcard src/floorboard/engine/*.py src/floorboard/config/*.py \
	src/floorboard/events/*.py)
$(ENGINE): $(STAMP) deploy/compile-engine.sh $(ENGINE_SOURCES)
	bash deploy/compile-engine.sh $(BIN) $(ENGINE)

demo: $(STAMP) $(ENGINE)
	$(BIN)/floorboard demo

# Fails when uv.lock no longer matches pyproject.toml.
lock-check: $(UV)
	$(UV) lock --check --quiet

lint: $(STAMP) lock-check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP)
	bash deploy/system-deps.sh
	$(MAKE) $(ENGINE)
	$(MAKE) lint
	$(BIN)/python -m pytest

# The fuzz tests with the long profile (5,000 examples each; `make test` runs a fast one).
fuzz: $(STAMP) $(ENGINE)
	FLOORBOARD_FUZZ_PROFILE=fuzz $(BIN)/python -m pytest tests/fuzz

# Upgrade every locked version (commit uv.lock after `make test` passes).
lock: $(UV)
	$(UV) lock --upgrade

bench: $(STAMP) $(ENGINE)
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .import_linter_cache build dist \
		src/build src/.mypy_cache src/floorboard/engine/*.so src/*__mypyc.*.so
