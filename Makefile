# Two entry points a newcomer needs: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint messages clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## Serve the API, the pages and the reminder worker on 127.0.0.1:8000 with SQLite and the starter
## catalogue; print an admin token and a sign-in link. Mail goes to the log and ./mail/*.eml.
run: $(STAMP)
	$(BIN)/pantau migrate
	$(BIN)/pantau catalogue load
	$(BIN)/pantau token create --role admin --name "Local admin" --email admin@pantau.localhost
	$(BIN)/pantau sign-in link admin@pantau.localhost
	$(BIN)/pantau serve

## The whole suite on SQLite, and on PostgreSQL where it is reachable (CI requires it).
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=15

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Bring app/locales/*/LC_MESSAGES/messages.po in step with the code; then translate what is new.
messages: $(STAMP)
	$(BIN)/pybabel extract
	$(BIN)/pybabel update

clean:
	rm -rf $(VENV) pantau.db pantau.db-wal pantau.db-shm
