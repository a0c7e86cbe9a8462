# Two entry points: `make demo` runs the product on fictional demo data, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: demo test property lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/finsocial demo --port $(PORT)

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder

# incremental = full over 2,000 random sequences of nights (make test tries 60): the nightly job's run
property: $(VENV)/.installed
	FINSOCIAL_PROPERTY_EXAMPLES=2000 $(BIN)/python -m pytest -n auto tests/warehouse/test_incremental_property.py tests/warehouse/test_incremental_property_more.py

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks --size S

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
