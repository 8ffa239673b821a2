"""fastText .bin files: read what fastText writes, write what fastText and gensim read."""
from __future__ import annotations

import struct

import numpy as np
import pytest

from wordvec.errors import ModelFileError, WordvecError
from wordvec.formats.facebook import (
    read_facebook_bin, save_facebook_vectors, write_facebook_bin, write_facebook_vec,
)
from wordvec.vectors.fasttext_keyedvectors import load_facebook_vectors
from wordvec.vectors.keyedvectors import KeyedVectors

fasttext = pytest.importorskip("fasttext")

VOCAB = ("alpha beta gamma delta epsilon zeta theta iota kappa lambda naïve café straße Москва 東京 "
         "running runner runs ran jumping jumper jumps").split()
UNKNOWN = ["alphabet", "runnings", "cafés", "Москве", "東", "zzz", "naïf"]


@pytest.fixture(scope="module")
def ft_bin(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fb")
    rng = np.random.default_rng(1)
    corpus = folder / "corpus.txt"
    corpus.write_text("\n".join(" ".join(rng.choice(VOCAB, 15)) for _ in range(80)) + "\n", encoding="utf-8")
    model = fasttext.train_unsupervised(str(corpus), model="skipgram", dim=10, epoch=2, minCount=1, minn=2,
                                        maxn=4, bucket=500, thread=1, verbose=0)
    path = folder / "model.bin"
    model.save_model(str(path))
    return path, model


def _ft_vectors(model, words):
    return np.stack([model.get_word_vector(w) for w in words])


def test_fasttext_bin_loads_with_fasttext_vectors(ft_bin):
    path, model = ft_bin
    fb = read_facebook_bin(path)
    assert fb.words == model.get_words(include_freq=False)
    assert fb.counts.tolist() == model.get_words(include_freq=True)[1].tolist()
    assert (fb.args.dim, fb.args.minn, fb.args.maxn, fb.args.bucket, fb.args.model, fb.args.loss) == \
        (10, 2, 4, 500, "skipgram", "ns")
    np.testing.assert_array_equal(fb.input_matrix, model.get_input_matrix())
    np.testing.assert_array_equal(fb.output_matrix, model.get_output_matrix())
    kv = load_facebook_vectors(path)
    words = fb.words + UNKNOWN
    assert all(w not in kv.key_to_index for w in UNKNOWN)
    np.testing.assert_allclose(kv[words], _ft_vectors(model, words), atol=1e-6)


def test_rewrite_is_byte_identical(ft_bin, tmp_path):
    path, _ = ft_bin
    out = tmp_path / "again.bin"
    write_facebook_bin(out, read_facebook_bin(path))
    assert out.read_bytes() == path.read_bytes()


def test_saved_vectors_read_by_fasttext_and_gensim(ft_bin, tmp_path):
    from gensim.models.fasttext import load_facebook_model as gensim_load

    kv = load_facebook_vectors(ft_bin[0])
    rng = np.random.default_rng(0)
    kv.input_matrix[...] = rng.normal(size=kv.input_matrix.shape).astype(np.float32)
    kv.adjust_vectors()
    out = tmp_path / "mine.bin"
    save_facebook_vectors(kv, out)
    words = list(kv.index_to_key) + UNKNOWN
    ours = kv[words]
    np.testing.assert_allclose(_ft_vectors(fasttext.load_model(str(out)), words), ours, atol=1e-6)
    gensim_wv = gensim_load(str(out)).wv
    assert words[0] == "</s>"  # gensim gives fastText's end-of-line token n-grams; fastText (and wordvec) do not
    np.testing.assert_allclose(np.stack([gensim_wv[w] for w in words[1:]]), ours[1:], atol=1e-6)


def test_vec_file_round_trip(ft_bin, tmp_path):
    from gensim.models import KeyedVectors as GensimKV

    kv = load_facebook_vectors(ft_bin[0])
    out = tmp_path / "model.vec"
    write_facebook_vec(kv, out)
    back = KeyedVectors.load_word2vec_format(out)
    assert back.index_to_key == kv.index_to_key
    np.testing.assert_allclose(back.vectors, kv.vectors, atol=1e-5)
    np.testing.assert_allclose(GensimKV.load_word2vec_format(str(out)).vectors, kv.vectors, atol=1e-5)


def test_every_truncation_is_one_clear_error(ft_bin, tmp_path):
    data = ft_bin[0].read_bytes()
    cuts = sorted(set(range(0, 200)) | set(range(200, len(data), max(1, len(data) // 150))) | {len(data) - 1})
    bad = tmp_path / "cut.bin"
    for cut in cuts:
        bad.write_bytes(data[:cut])
        with pytest.raises(ModelFileError) as info:
            read_facebook_bin(bad)
        assert str(bad) in str(info.value) and "\n" not in str(info.value)
    bad.write_bytes(data + b"\0")
    with pytest.raises(ModelFileError, match="unexpected bytes"):
        read_facebook_bin(bad)


def _dict_end(data: bytes) -> int:
    pos = 8 + 56
    size = struct.unpack_from("<i", data, pos)[0]
    pos += 28
    for _ in range(size):
        pos = data.index(b"\0", pos) + 10
    return pos


def test_lying_headers_are_refused_before_allocating(ft_bin, tmp_path):
    data = bytearray(ft_bin[0].read_bytes())
    bad = tmp_path / "lie.bin"
    start = _dict_end(bytes(data))
    cases = {
        "rows": (start + 1, struct.pack("<q", 1 << 40)),  # input matrix rows
        "dim": (start + 9, struct.pack("<q", 1 << 40)),  # input matrix cols
        "dictionary": (8 + 56, struct.pack("<3i", 2**31 - 1, 2**31 - 1, 0)),  # dictionary size
        "signature": (0, b"\0\0\0\0"),
        "version": (4, struct.pack("<i", 99)),
        "argument": (8, struct.pack("<i", -5)),
    }
    for what, (offset, patch) in cases.items():
        lie = bytearray(data)
        lie[offset:offset + len(patch)] = patch
        bad.write_bytes(bytes(lie))
        with pytest.raises(ModelFileError):
            read_facebook_bin(bad)
    quant = bytearray(data)
    quant[start] = 1
    bad.write_bytes(bytes(quant))
    with pytest.raises(ModelFileError, match="quantized"):
        read_facebook_bin(bad)


def test_missing_empty_and_foreign_files(tmp_path):
    for content in (None, b"", b"hello world\n", b"\x1f\x8b\x08\x00rest", b"3 2\na 1 2\n"):
        path = tmp_path / "x.bin"
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(WordvecError):
            read_facebook_bin(path)
        if path.exists():
            path.unlink()
    with pytest.raises(ModelFileError, match="directory"):
        read_facebook_bin(tmp_path)
