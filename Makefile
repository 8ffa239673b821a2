# Quickstart: `make run` (train, evaluate and plot on the bundled corpus), `make test`, `make docs`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
DOCS_STAMP := $(VENV)/.installed-docs
OUT    ?= out
# The corpus `make run` trains on: the bundled SST sentences (227k words); CORPUS=... for another.
CORPUS ?= src/wordvec/data/sst_sentences.txt.gz
# The CS224N plot words.
WORDS  := great cool brilliant wonderful well amazing worth sweet enjoyable boring bad dumb annoying \
          female male queen king man woman rain snow hail coffee tea

.PHONY: run test docs bench clean

# `make run` needs only the package (no torch, no test tools).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test]'
	@# The optional PyTorch backend is tested when torch installs (a CPU build); otherwise its tests skip.
	-$(BIN)/python -m pip install -q 'torch==2.13.0' || echo "torch not installed: its tests will be skipped"
	touch $(TEST_STAMP)

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[docs]'
	touch $(DOCS_STAMP)

run: $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/wordvec train $(CORPUS) -o $(OUT)/vectors.bin --sg --epochs 20 --min-count 1 \
		--save-model $(OUT)/model.npz --plot-loss $(OUT)/loss.png
	$(BIN)/wordvec eval $(OUT)/vectors.bin --restrict-vocab 30000 | tee $(OUT)/eval.txt
	$(BIN)/wordvec plot words $(OUT)/vectors.bin $(WORDS) -o $(OUT)/word_vectors.png
	$(BIN)/wordvec plot map $(OUT)/vectors.bin -n 300 -o $(OUT)/map.png
	$(BIN)/wordvec query $(OUT)/vectors.bin -n 5 "good" "king - man + woman" "good bad"
	@echo
	@echo "outputs in $(OUT)/: vectors.bin (word2vec binary), model.npz (full model), loss.png, eval.txt,"
	@echo "word_vectors.png, map.png. What the numbers mean: README.md, 'What the make run numbers mean'."

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q

# The documentation with the API reference generated from the docstrings, built into site/;
# any warning fails the build. docs/cli.md is regenerated from real runs by `python docs/gen_cli.py`.
docs: $(DOCS_STAMP)
	$(BIN)/python docs/gen_api.py
	$(BIN)/python -m mkdocs build --strict

bench: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/bench_train.py

clean:
	rm -rf $(OUT) build site src/*.egg-info
