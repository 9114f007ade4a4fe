# The commands of docs/contract.md. Needs only Python 3.11+ on the machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
N      ?= 100000

.PHONY: run test install install-dev translations lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

translations: | $(BIN)/activate
	$(BIN)/pybabel compile -d helpdesk/translations -D messages >/dev/null

run: install
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) user demo
	exec $(FLASK) serve

# Two workers (pytest-xdist), each with its own databases, Redis db and ports (README, "Start it").
TEST_WORKERS ?= 2
test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check helpdesk tests bench
	$(BIN)/ruff format --check helpdesk tests bench

# The benchmark: N tickets, results in bench/RESULTS.md (BENCH_ARGS: --duration, --keep, ...).
# wrk comes from Debian's packages, pyinstrument (profiles of missed targets) from PyPI.
bench: install-dev
	@command -v wrk >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	@$(BIN)/python -c "import pyinstrument" 2>/dev/null || \
		$(BIN)/pip install --quiet pyinstrument==5.1.3
	$(BIN)/python -m bench --tickets $(N) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
