# Two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | md5sum | cut -c1-8)

.PHONY: run test lint format translations bench screens clean

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

# Without a Chinese font the app runs, but cannot print its notices as PDF: say so, go on.
run: $(STAMP)
	-scripts/ensure-fonts
	$(BIN)/python run.py

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	scripts/ensure-chromium
	scripts/ensure-fonts
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The performance bench (bench/run.py): every figure beside the bare stack, with its goal. It uses
# the machine's PostgreSQL (database `bench`, created and filled once) when it answers, else SQLite;
# a full run rewrites the table of docs/PERFORMANCE.md. `make bench ARGS=--quick` is a CI-sized run.
bench: $(STAMP)
	$(BIN)/python bench/run.py $(if $(findstring --quick,$(ARGS)),,--write docs/PERFORMANCE.md) $(ARGS)

# After adding or changing user-facing text: refresh the catalogue, translate, compile.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _ -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations
	$(BIN)/pybabel compile -d app/translations

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache

# The screenshots of docs/screens/, taken by the browser tests.
screens: $(STAMP)
	scripts/ensure-chromium
	SCREENSHOTS=1 $(BIN)/pytest tests/e2e
