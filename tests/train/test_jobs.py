"""Jobs: the line-end word appended to every sentence, from a file and from an iterable; batch heads; reading orders."""
from __future__ import annotations

import numpy as np

from wordvec.text.corpus import TextBlocks
from wordvec.text.vocab import Vocabulary
from wordvec.train.jobs import CorpusJobs, WordBatch, with_sentence_ends


def test_with_sentence_ends_appends_the_id_to_every_sentence():
    ids = np.array([1, 2, 3, 4, 5], dtype=np.int32)
    offsets = np.array([0, 2, 2, 5], dtype=np.int64)  # the second sentence is empty
    out, out_offsets = with_sentence_ends(ids, offsets, 9)
    assert out.dtype == np.int32 and out_offsets.dtype == np.int64
    assert out.tolist() == [1, 2, 9, 9, 3, 4, 5, 9]
    assert out_offsets.tolist() == [0, 3, 4, 8]
    empty = with_sentence_ends(np.zeros(0, np.int32), np.zeros(1, np.int64), 9)
    assert empty[0].size == 0 and empty[1].tolist() == [0]


def test_corpus_jobs_append_the_sentence_end_for_files_and_sentences(tmp_path):
    vocab = Vocabulary.from_counts({"a": 5, "b": 4, "c": 3, "</s>": 2}, 1)
    end = vocab.key_to_index["</s>"]
    sentences = [["a", "b", "zz"], ["c", "a"]]
    path = tmp_path / "c.txt"
    path.write_text("a b zz\nc a\n")
    for corpus in (TextBlocks(path), sentences):
        jobs = CorpusJobs(corpus, vocab, 10000, sentence_end=end)
        batches = [jobs.encode(job) for job, _ in jobs.jobs(0)]
        ids = np.concatenate([b.ids for b in batches])
        k = vocab.key_to_index
        assert ids.tolist() == [k["a"], k["b"], end, k["c"], k["a"], end]
        assert sum(b.units for b in batches) == 6 and sum(b.raw for b in batches) == 5
        plain = CorpusJobs(corpus, vocab, 10000)
        assert sum(plain.encode(job).units for job, _ in plain.jobs(0)) == 4


def test_head_cuts_a_batch_at_a_token_and_scales_raw():
    batch = WordBatch(np.arange(10, dtype=np.int32), np.array([0, 3, 7, 10], dtype=np.int64), 20)
    for units, offsets in ((1, [0, 1]), (3, [0, 3]), (4, [0, 3, 4]), (9, [0, 3, 7, 9]), (10, [0, 3, 7, 10])):
        head = batch.head(units)
        assert head.units == units and head.ids.tolist() == list(range(units))
        assert head.offsets.tolist() == offsets and head.raw == 2 * units
    assert batch.offsets.tolist() == [0, 3, 7, 10]  # the batch itself is unchanged


def test_streams_set_the_reading_order_of_a_plain_file_and_at_most_two_of_a_compressed_one(tmp_path):
    import gzip

    from wordvec.train import jobs as jobs_module

    vocab = Vocabulary.from_counts({"a": 5}, 1)
    lines = "".join(f"a {i}\n" for i in range(300_000)).encode()  # about 9 blocks of 256 KiB
    (tmp_path / "c.txt").write_bytes(lines)
    (tmp_path / "c.txt.gz").write_bytes(gzip.compress(lines, compresslevel=1))
    plain = TextBlocks(tmp_path / "c.txt")
    n = plain.block_count()
    assert n >= 6
    assert [job for job, _ in CorpusJobs(plain, vocab, 10000).jobs(0)] == list(plain.interleaved(jobs_module.STREAMS))
    for streams in (1, 3):
        jobs = CorpusJobs(plain, vocab, 10000, streams=streams)
        assert [job for job, _ in jobs.jobs(0)] == list(plain.interleaved(streams))
    assert list(plain.interleaved(3)) != list(plain.interleaved(1))
    packed = TextBlocks(tmp_path / "c.txt.gz")
    assert [job for job, _ in CorpusJobs(packed, vocab, 10000, streams=5).jobs(0)] == list(packed.interleaved(2))
