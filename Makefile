# One command each: `make demo` (install + run the sample region), `make test` (install + full suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.zc-installed

$(STAMP): pyproject.toml constraints.txt
	bash .ci/debs.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip==26.3"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	touch $(STAMP)

.PHONY: install demo test ui bench sample
install: $(STAMP)

demo: $(STAMP)
	$(BIN)/zc demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -q

ui: $(STAMP)
	$(BIN)/zc ui

bench: $(STAMP)
	$(BIN)/python -m bench

sample: $(STAMP)
	$(BIN)/python -m tools.samplegen --out sample_data --parks 36 --seed 20260101
