"""The progress bar of a training run: the epoch being trained, its running mean loss, the
current learning rate, words/s and the ETA (tqdm)."""
from __future__ import annotations

import threading
from typing import Any


class Progress:
    """A tqdm bar over ``epochs`` x ``per_epoch`` + ``closing`` tokens read (``closing``: the run's
    closing stretch, see :class:`~.driver.Driver`), starting at ``initial`` (a resumed run); its
    label names the epoch being trained (``training epoch 2/5``), its postfix the running
    mean loss of that epoch and the current learning rate; tqdm adds words/s and the ETA of this
    process's part of the run."""

    def __init__(self, epochs: int, per_epoch: int, initial: int, closing: int = 0, desc: str = "training") -> None:
        from tqdm.auto import tqdm

        per_epoch = max(per_epoch, 1)
        self.epochs = epochs
        self.lock = threading.Lock()
        total = epochs * per_epoch + max(closing, 0)
        self.bar: Any = tqdm(
            total=total, initial=min(total, initial), unit="w", unit_scale=True,
            desc=f"{desc} epoch {min(initial // per_epoch, epochs - 1) + 1}/{epochs}", smoothing=0.1, dynamic_ncols=True,
        )
        self.desc = desc
        self.fresh = True  # no update shown yet in this epoch

    def epoch(self, epoch: int) -> None:
        """Show that epoch ``epoch`` (0-based) is being trained."""
        with self.lock:
            self.bar.set_description(f"{self.desc} epoch {epoch + 1}/{self.epochs}", refresh=False)
            self.fresh = True

    def update(self, raw_words: int, mean_loss: float, alpha: float) -> None:
        """Count ``raw_words`` more tokens read; show the epoch's running loss and the rate."""
        with self.lock:
            post = {"lr": f"{alpha:.2e}"}
            if mean_loss == mean_loss:  # not NaN
                post = {"loss": f"{mean_loss:.4f}", **post}
            self.bar.set_postfix(post, refresh=False)
            self.bar.update(raw_words)
            if self.fresh:  # each epoch's first loss is shown, however short the epoch (tqdm may skip it)
                self.bar.refresh()
                self.fresh = False

    def close(self) -> None:
        self.bar.close()
