"""bench_train.py with corpus files read in blocks of KIB KiB instead of 256 (an experiment, not
an option of the library): python blocks.py KIB [bench_train.py arguments]."""
import runpy
import sys
from pathlib import Path

import wordvec.text.corpus as corpus

kib = int(sys.argv[1])
sys.argv = [sys.argv[0]] + sys.argv[2:]
original = corpus.TextBlocks.__init__


def init(self, path, block_bytes=kib * 1024):
    original(self, path, block_bytes)


corpus.TextBlocks.__init__ = init
runpy.run_path(str(Path(__file__).resolve().parents[2] / "bench_train.py"), run_name="__main__")
