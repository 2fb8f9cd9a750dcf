# quizapp — `make run` to serve on http://127.0.0.1:5000, `make test` to run every check.
# The distribution's Python 3.11 first: Debian's is built with PGO and LTO and linked
# statically; served, the app spends 12-17 % more CPU per answer on a default pyenv build
# (shared libpython, no PGO; docs/performance-log.md). Any Python 3.11 that can make
# a venv will do: make PYTHON=/path/to/python3.11 install
PYTHON ?= $(shell for p in /usr/bin/python3.11 /usr/local/bin/python3.11 "$$(command -v python3.11)" \
	"$$(command -v python3)"; do [ -x "$$p" ] && "$$p" -c "import ensurepip, venv" 2>/dev/null \
	&& { echo "$$p"; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2
export FLASK_APP := wsgi.py

.PHONY: install system-deps run serve db test test-sqlite test-postgres lint bank-check bank-stats bench clean

$(BIN)/.installed: pyproject.toml
	$(if $(PYTHON),,$(error No Python 3.11 here can make a venv: install python3.11 and python3.11-venv, or run make PYTHON=/path/to/python3.11))
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/.installed

# Debian's Chromium drives the browser tests (Playwright cannot download browsers here).
system-deps:  ## install Chromium and bubblewrap when missing, or say in one line what to install
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/bwrap ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium (browser tests) and bubblewrap (code sandbox)..."; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium bubblewrap >/dev/null; \
	else \
		echo "Run 'sudo apt-get install -y chromium bubblewrap' (browser tests, code sandbox) and retry."; \
		exit 1; \
	fi

db: install  ## apply migrations and load the question bank
	$(BIN)/flask db upgrade
	$(BIN)/flask bank sync

run: db  ## serve the app with embedded SQLite on http://127.0.0.1:$(PORT)
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Production-style serving: gunicorn configured from the environment (gunicorn.conf.py and
# deploy/quizapp.env.example); DATABASE_URL/REDIS_URL/SECRET_KEY come from the environment.
serve: db  ## serve with gunicorn (GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT)
	$(BIN)/gunicorn -c gunicorn.conf.py

test: install system-deps lint test-sqlite test-postgres  ## everything CI runs, after set-up

lint: install
	$(BIN)/ruff check .

test-sqlite: install
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test-postgres: install
	@if $(BIN)/python -c "import psycopg, sys; psycopg.connect('$(subst +psycopg,,$(TEST_DATABASE_URL))', connect_timeout=3).close()" 2>/dev/null; then \
		TEST_DATABASE_URL='$(TEST_DATABASE_URL)' $(BIN)/pytest -n $(PYTEST_WORKERS) tests/integration tests/functional; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL is not reachable at $(TEST_DATABASE_URL)"; exit 1; \
	else \
		echo "!! PostgreSQL not reachable at $(TEST_DATABASE_URL): skipped the PostgreSQL run"; \
	fi

bank-check: install
	$(BIN)/flask bank validate

bank-stats: install
	$(BIN)/flask bank stats

bench: install
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
