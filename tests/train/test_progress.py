"""The training progress bar: the epoch being trained from the first render (also when a run
resumes mid-way), the running loss and the learning rate in its postfix."""
from __future__ import annotations

import io

import pytest

from wordvec.train.progress import Progress


@pytest.fixture
def bar_output(monkeypatch):
    out = io.StringIO()
    import tqdm.auto

    original = tqdm.auto.tqdm
    monkeypatch.setattr(tqdm.auto, "tqdm", lambda *a, **k: original(*a, file=out, mininterval=0, **k))
    return out


def test_the_label_names_the_epoch_being_trained(bar_output):
    p = Progress(epochs=4, per_epoch=1000, initial=0)
    p.update(100, 3.25, 0.024)
    first = bar_output.getvalue()
    assert "training epoch 1/4" in first.split("\r")[1] and "loss=3.2500" in first and "lr=2.40e-02" in first
    p.epoch(1)
    p.update(1000, 2.5, 0.02)
    assert "training epoch 2/4" in bar_output.getvalue().split("\r")[-1]
    p.close()


def test_a_resumed_run_starts_on_its_epoch(bar_output):
    p = Progress(epochs=4, per_epoch=1000, initial=2500)
    assert "training epoch 3/4" in bar_output.getvalue() and "62%" in bar_output.getvalue()
    p.update(10, float("nan"), 0.01)  # no loss computed: no loss shown
    assert "loss=" not in bar_output.getvalue().split("\r")[-1]
    p.close()


def test_the_bar_counts_the_closing_stretch():
    p = Progress(epochs=2, per_epoch=1000, initial=0, closing=250)
    assert p.bar.total == 2250
    p.close()
