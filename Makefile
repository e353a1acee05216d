# The two commands of the quick start: `make run` and `make test`.
# Everything installs into .venv from the pinned requirements.lock.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export HRD_DB ?= data/hrd.duckdb
DEMO ?= 5000
PORT ?= 8501

.PHONY: install run test db bench clean

$(BIN)/uv:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9

# --compile-bytecode: uv leaves .pyc files to be written at first import, which a
# read-only or PYTHONDONTWRITEBYTECODE environment never does; every server start
# would then compile Streamlit, pandas and Plotly again (about a second of a cold start).
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m compileall -q dashboard
	touch $@

install: $(VENV)/.installed

db: install
	$(BIN)/hrd init --if-missing --demo $(DEMO)

run: db
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT) --server.address 0.0.0.0

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: install
	$(BIN)/hrd bench

clean:
	rm -rf $(VENV) data/hrd.duckdb data/hrd.duckdb.wal
