# Two entry points a newcomer needs: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint migration clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## Serve the API on 127.0.0.1:8000 with SQLite, the starter catalogue and a fresh admin token.
run: $(STAMP)
	$(BIN)/pantau migrate
	$(BIN)/pantau catalogue load
	$(BIN)/pantau token create --role admin --name "Local admin"
	$(BIN)/pantau serve

## The whole suite on SQLite, and on PostgreSQL where it is reachable (CI requires it).
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

migration: $(STAMP)
	./scripts/regenerate-initial-migration

clean:
	rm -rf $(VENV) pantau.db pantau.db-wal pantau.db-shm
