"""The driver's closing stretch (``epoch_words="all"``, fastText's run length): the schedule's
units, the passes read after the last epoch, its checkpoints and resume; the reading order a run
keeps; model files written before these parameters."""
from __future__ import annotations

import signal

import numpy as np
import pytest

from wordvec import FastText, Word2Vec
from wordvec.errors import TrainingInterrupted
from wordvec.train.state import RunState

COMMON = [f"c{i}" for i in range(40)]


def _sentences(n=12_000, seed=0):
    """Sentences of 10 tokens, half common words, half words seen once (under any min_count)."""
    rng = np.random.default_rng(seed)
    out = []
    for s in range(n):
        common = rng.choice(COMMON, 5).tolist()
        out.append([w for pair in zip(common, (f"r{s}x{j}" for j in range(5))) for w in pair])
    return out


PARAMS = dict(vector_size=8, window=2, min_count=2, sample=0, sg=1, negative=2, workers=1, seed=5)


class InterruptOnPass:
    """A sentence iterable that raises SIGINT after ``after`` sentences of its ``on``-th pass."""

    def __init__(self, sentences, on, after):
        self.sentences, self.on, self.after, self.passes = sentences, on, after, 0

    def __iter__(self):
        self.passes += 1
        for i, s in enumerate(self.sentences):
            if self.passes == self.on and i == self.after:
                signal.raise_signal(signal.SIGINT)
            yield s


def test_epoch_words_all_trains_epochs_times_every_token_as_in_vocabulary_words():
    sentences = _sentences()
    words = Word2Vec(sentences, epochs=2, epoch_words="vocabulary", **PARAMS)
    assert words.closing_units(2) == 0
    assert words.training_summary["words"] == 2 * words.scan_words == 2 * 60_000
    everything = Word2Vec(sentences, epochs=2, epoch_words="all", **PARAMS)
    assert everything.closing_units(2) == 2 * (120_000 - 60_000)
    summary = everything.training_summary
    assert summary["words"] == 2 * everything.corpus_total_words == 240_000  # two more passes' worth
    assert summary["raw_words"] == 4 * 120_000 and len(everything.loss_history) == 2
    assert not np.array_equal(everything.wv.vectors, words.wv.vectors)


def test_the_closing_stretch_is_cut_within_a_pass_at_its_units():
    """Sentences of 6 common words and one seen once: with FastText's line-end word a pass has
    8 tokens per sentence, 7 of them in the vocabulary."""
    rng = np.random.default_rng(1)
    sentences = [rng.choice(COMMON, 6).tolist() + [f"once{i}"] for i in range(11_000)]
    model = FastText(epochs=3, epoch_words="all", bucket=500, **PARAMS)
    model.build_vocab(sentences)
    assert model.scan_words == 7 * 11_000 and model.corpus_total_words == 7 * 11_000
    assert model.closing_units(3) == 3 * 11_000  # every token of fastText's count: the line ends too
    model.train(sentences, total_examples=model.corpus_count, epochs=3)
    assert model.training_summary["words"] == 3 * 8 * 11_000
    assert model.training_summary["raw_words"] == 3 * 7 * 11_000 + 3 * 11_000  # 7 raw words, 7 units a sentence
    assert FastText(sentences, epochs=3, bucket=500, epoch_words="vocabulary", **PARAMS).closing_units(3) == 0


@pytest.mark.parametrize("on, after", [(3, 7_000), (4, 2_000), (2, 11_000)])
def test_an_interrupted_closing_stretch_resumes_bit_identical(tmp_path, on, after):
    """Passes 1-2 of the iterable are the 2 epochs, 3-4 the closing stretch (jobs of 5,000
    sentences): stopped in the closing stretch's first pass, at the start of its second, and at
    the end of the last epoch's pass."""
    sentences = _sentences()
    straight = Word2Vec(sentences, epochs=2, epoch_words="all", **PARAMS)
    model = Word2Vec(epochs=2, epoch_words="all", **PARAMS)
    model.build_vocab(sentences)
    corpus = InterruptOnPass(sentences, on, after)
    with pytest.raises(TrainingInterrupted):
        model.train(corpus, total_examples=model.corpus_count, epochs=2, checkpoint=tmp_path / "ckpt.npz")
    loaded = Word2Vec.load(tmp_path / "ckpt.npz")
    state = loaded.pending_run
    assert state.epoch == 1 and state.closing == max(on - 2, 0) and state.closing_units == 120_000
    loaded.resume(sentences)
    assert np.array_equal(loaded.wv.vectors, straight.wv.vectors)
    assert loaded.loss_history == straight.loss_history
    assert loaded.training_summary["words"] == straight.training_summary["words"]


def test_a_run_state_with_a_closing_stretch_outside_its_last_epoch_is_refused():
    state = RunState(epochs=3, alpha0=0.05, alpha1=0.0, epoch=1, closing=1, closing_units=10).to_json()
    with pytest.raises(ValueError, match="closing stretch"):
        RunState.from_json(state)
    old = RunState(epochs=3, alpha0=0.05, alpha1=0.0).to_json()
    del old["closing"], old["closing_units"]  # written before the closing stretch existed
    assert RunState.from_json(old).closing_units == 0


@pytest.mark.parametrize("epoch_words", ["vocabulary", "all"])
def test_a_job_without_words_in_the_vocabulary_still_counts_its_tokens(epoch_words):
    """Jobs of 50,000, 50,000 and 1,000 words, the second of words seen once: a pass reads
    101,000 tokens, 51,000 of them in the vocabulary. With "all" the closing stretch (2 x 50,000
    words) reads one more pass and 49,000 words of the next."""
    rng = np.random.default_rng(2)
    common = [rng.choice(COMMON, 10).tolist() for _ in range(5_000)]
    rare = [[f"u{s}x{j}" for j in range(10)] for s in range(5_000)]
    model = Word2Vec(common + rare + common[:100], epochs=2, epoch_words=epoch_words, **PARAMS)
    summary = model.training_summary
    if epoch_words == "vocabulary":
        assert summary["words"] == 2 * 51_000 and summary["raw_words"] == 2 * 101_000
    else:
        assert summary["words"] == 2 * 101_000 and summary["raw_words"] == 3 * 101_000 + 49_000


def test_a_resumed_run_reads_in_the_order_it_started_with_whatever_its_worker_count(tmp_path, monkeypatch):
    """FastText reads a file as one run per worker: the checkpoint keeps the run's order, so
    resuming with another worker count trains every block once. The file's first half has long
    lines of long words and its second short ones, so that its blocks hold different numbers of
    words and a block trained twice (or never) changes the count."""
    from wordvec.text.corpus import TextBlocks
    from wordvec.train.jobs import CorpusJobs

    rng = np.random.default_rng(4)
    long_words = [f"longword{i:03d}xx" for i in range(60)]
    short_words = [f"s{i}" for i in range(60)]
    lines = [" ".join(rng.choice(long_words, 12)) for _ in range(6_000)]
    lines += [" ".join(rng.choice(short_words, 12)) for _ in range(20_000)]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines) + "\n")
    params = dict(vector_size=8, window=2, min_count=1, sample=0, sg=1, negative=2, seed=5, bucket=100, min_n=3,
                  max_n=4, epochs=1)
    model = FastText(workers=2, **params)
    model.build_vocab(corpus_file=path)
    assert TextBlocks(path).block_count() >= 6
    encode, calls = CorpusJobs.encode, [0]

    def encode_then_stop(self, job):
        calls[0] += 1
        if calls[0] == 2:
            signal.raise_signal(signal.SIGINT)
        return encode(self, job)

    monkeypatch.setattr(CorpusJobs, "encode", encode_then_stop)
    with pytest.raises(TrainingInterrupted):
        model.train(corpus_file=path, total_words=model.corpus_total_words, epochs=1, checkpoint=tmp_path / "ckpt.npz")
    monkeypatch.setattr(CorpusJobs, "encode", encode)
    loaded = FastText.load(tmp_path / "ckpt.npz")
    assert loaded.pending_run.streams == 2 and 0 < loaded.pending_run.position
    loaded.workers = 1  # one run per worker would now be file order
    loaded.resume()
    assert loaded.closing_units(1) == 0  # every word is in the vocabulary
    assert loaded.training_summary["words"] == loaded.scan_words
    assert loaded.training_summary["raw_words"] == loaded.corpus_total_words


def test_a_model_file_written_before_streams_and_epoch_words_loads_with_the_defaults(tmp_path):
    import json

    sentences = _sentences(2_000)
    for cls, epoch_words in ((Word2Vec, "vocabulary"), (FastText, "all")):
        model = cls(sentences, epochs=1, streams=3, epoch_words="vocabulary", **{**PARAMS, "min_count": 1})
        path = tmp_path / f"{cls.__name__}.npz"
        model.save(path)
        with np.load(path) as z:
            members = {k: z[k] for k in z.files}
        meta = json.loads(members["meta"].tobytes())
        del meta["params"]["streams"], meta["params"]["epoch_words"]
        members["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        np.savez(path, **members)
        loaded = cls.load(path)
        assert loaded.streams is None and loaded.epoch_words == epoch_words
        assert np.array_equal(loaded.wv.vectors, model.wv.vectors)
