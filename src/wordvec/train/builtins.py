"""Registers wordvec's engines (imported by the models that use them):

- ``numba``: negative sampling / hierarchical softmax on the CPU (the default);
- ``subwords``: the same over bags of rows, for models that expose them (FastText);
- ``softmax``: the exact softmax in BLAS batches (``softmax=True``);
- ``torch``: PyTorch on a device (``device=`` set), imported only when asked for.
"""
from __future__ import annotations

from typing import Any

from .engine import Engine, register_engine
from .numba_engine import NumbaEngine
from .softmax_engine import SoftmaxEngine
from .subword_engine import SubwordEngine, uses_subword_engine


def _torch_engine(model: Any) -> Engine:
    from .torch_engine import TorchEngine

    return TorchEngine(model)


register_engine("numba", lambda model: True, NumbaEngine)
register_engine("subwords", uses_subword_engine, SubwordEngine)
register_engine("softmax", lambda model: bool(getattr(model, "softmax", False)), SoftmaxEngine)
register_engine("torch", lambda model: getattr(model, "device", None) is not None, _torch_engine)
