# Quickstart: `make run` (train, evaluate and plot on the bundled corpus) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out
# The CS224N plot words.
WORDS  := great cool brilliant wonderful well amazing worth sweet enjoyable boring bad dumb annoying \
          female male queen king man woman rain snow hail coffee tea

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@# The optional PyTorch backend is tested when torch installs (a CPU build); otherwise its tests skip.
	-$(BIN)/python -m pip install -q 'torch==2.13.0' || echo "torch not installed: its tests will be skipped"
	touch $(STAMP)

run: $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/wordvec train -o $(OUT)/vectors.bin --binary --sg --epochs 20 --min-count 1 --save-model $(OUT)/model.npz
	$(BIN)/wordvec eval $(OUT)/vectors.bin --restrict-vocab 30000 | tee $(OUT)/eval.txt
	$(BIN)/wordvec plot $(OUT)/vectors.bin $(WORDS) -o $(OUT)/word_vectors.png
	@echo
	@echo "outputs in $(OUT)/: vectors.bin (word2vec binary), model.npz (full model), eval.txt, word_vectors.png"

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/bench_train.py

clean:
	rm -rf $(OUT) build src/*.egg-info
