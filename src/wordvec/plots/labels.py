"""Word labels that never overlap: each label goes to the nearest free spot around its point.

:func:`place_labels` measures every label with the figure's renderer and tries positions on
rings of growing radius around its point (16 directions per ring); it takes the first box that
stays inside the axes and overlaps neither an already placed label nor another point's marker.
Labels pushed further than a few characters from their point get a thin leader line. Labels
are placed in the order given, so the most important words (the most frequent) get the closest
spots. The layout of the figure (size, axes limits, titles) must be final before placing.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["place_labels", "label_boxes", "overlapping_pairs", "attach_canvas"]

_ANGLES = np.deg2rad([45, 135, -45, -135, 0, 180, 90, -90, 22.5, 157.5, -22.5, -157.5, 67.5, 112.5, -67.5, -112.5])


def attach_canvas(fig: Any) -> Any:
    """Give a bare ``matplotlib.figure.Figure`` an Agg canvas (no pyplot) and return its renderer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def _boxes_overlap(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Which of ``boxes`` (m, 4: x0 y0 x1 y1) intersect ``box`` (..., 4), broadcast."""
    return (
        (box[..., None, 0] < boxes[:, 2]) & (boxes[:, 0] < box[..., None, 2])
        & (box[..., None, 1] < boxes[:, 3]) & (boxes[:, 1] < box[..., None, 3])
    )


def place_labels(
    ax: Any,
    xy: np.ndarray,
    labels: Sequence[str],
    fontsize: float = 10.0,
    optional: bool = False,
    max_distance: float | None = None,
    marker_radius: float = 4.0,
    avoid: np.ndarray | None = None,
    **text_kw: Any,
) -> list[Any]:
    """Label the points ``xy`` (n, 2, data coordinates) of ``ax`` with ``labels`` without overlaps.

    Returns the matplotlib ``Annotation`` of each placed label (in the order given). With
    ``optional=True`` a label that finds no spot within ``max_distance`` pixels (default 3 font
    sizes) free of other labels (and, where possible, of points) is left out; otherwise the search widens to the whole axes and, only when the
    axes are full, a label may cover other points (never another label while any free spot is left).
    ``marker_radius`` (pixels) is the space kept free around every point, including the
    unlabelled points ``avoid`` (m, 2, data coordinates).
    """
    renderer = attach_canvas(ax.figure)
    dpi = ax.figure.dpi
    px_per_pt = dpi / 72.0
    points = ax.transData.transform(np.asarray(xy, dtype=np.float64))
    area = ax.bbox
    pad = 1.0 * px_per_pt
    inner = np.array([area.x0 + pad, area.y0 + pad, area.x1 - pad, area.y1 - pad])
    r0 = marker_radius + pad
    markers = np.column_stack([points - marker_radius, points + marker_radius])
    extra = np.zeros((0, 4))
    if avoid is not None and len(avoid):
        q = ax.transData.transform(np.asarray(avoid, dtype=np.float64))
        extra = np.column_stack([q - marker_radius, q + marker_radius])
    size = fontsize * px_per_pt
    near = max_distance if max_distance is not None else 3.0 * size
    far = float(np.hypot(area.width, area.height))
    placed = np.zeros((0, 4))
    out = []
    for i, label in enumerate(labels):
        probe = ax.text(0, 0, label, fontsize=fontsize, **text_kw)
        ext = probe.get_window_extent(renderer)
        probe.remove()
        w, h = ext.width + 2 * pad, ext.height + 2 * pad
        others = np.vstack([np.delete(markers, i, axis=0), extra])
        box = None
        passes = ((near, True), (near, False)) if optional else ((near, True), (far, True), (far, False))
        for limit, avoid_points in passes:
            box = _search(points[i], w, h, r0, limit, size / 2, inner, placed, others if avoid_points else None)
            if box is not None:
                break
        if box is None:
            if optional:
                continue
            box = _least_overlap(points[i], w, h, r0, far, size / 2, inner, placed)
        centre = (box[:2] + box[2:]) / 2
        offset_pt = (centre - points[i]) / px_per_pt
        arrow = dict(arrowstyle="-", color="0.55", lw=0.6, shrinkA=0, shrinkB=2) if _gap(box, points[i]) > size else None
        ann = ax.annotate(
            label, xy=tuple(np.asarray(xy)[i]), xytext=tuple(offset_pt), textcoords="offset points",
            ha="center", va="center", fontsize=fontsize, arrowprops=arrow, annotation_clip=False, **text_kw,
        )
        out.append(ann)
        placed = np.vstack([placed, box])
    return out


def _gap(box: np.ndarray, p: np.ndarray) -> float:
    """Distance in pixels from point ``p`` to the nearest edge of ``box`` (0 inside)."""
    dx = max(box[0] - p[0], p[0] - box[2], 0.0)
    dy = max(box[1] - p[1], p[1] - box[3], 0.0)
    return float(np.hypot(dx, dy))


def _candidates(p: np.ndarray, w: float, h: float, r0: float, limit: float, step: float) -> np.ndarray:
    radii = np.arange(r0, max(limit, r0) + step, step)
    r = radii[:, None]
    cx = p[0] + (r + w / 2) * np.cos(_ANGLES)
    cy = p[1] + (r + h / 2) * np.sin(_ANGLES)
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1).reshape(-1, 4)


def _search(p, w, h, r0, limit, step, inner, placed, obstacles) -> np.ndarray | None:
    boxes = _candidates(p, w, h, r0, limit, step)
    ok = (boxes[:, 0] >= inner[0]) & (boxes[:, 1] >= inner[1]) & (boxes[:, 2] <= inner[2]) & (boxes[:, 3] <= inner[3])
    if len(placed):
        ok &= ~_boxes_overlap(boxes, placed).any(axis=1)
    if obstacles is not None and len(obstacles):
        ok &= ~_boxes_overlap(boxes, obstacles).any(axis=1)
    hits = np.flatnonzero(ok)
    return boxes[hits[0]] if len(hits) else None


def _least_overlap(p, w, h, r0, limit, step, inner, placed) -> np.ndarray:
    boxes = _candidates(p, w, h, r0, limit, step)
    boxes[:, [0, 2]] += np.clip(inner[0] - boxes[:, 0], 0, None)[:, None] - np.clip(boxes[:, 2] - inner[2], 0, None)[:, None]
    boxes[:, [1, 3]] += np.clip(inner[1] - boxes[:, 1], 0, None)[:, None] - np.clip(boxes[:, 3] - inner[3], 0, None)[:, None]
    if not len(placed):
        return boxes[0]
    ix = np.clip(np.minimum(boxes[:, None, 2], placed[:, 2]) - np.maximum(boxes[:, None, 0], placed[:, 0]), 0, None)
    iy = np.clip(np.minimum(boxes[:, None, 3], placed[:, 3]) - np.maximum(boxes[:, None, 1], placed[:, 1]), 0, None)
    return boxes[int(np.argmin((ix * iy).sum(axis=1)))]


def label_boxes(fig: Any, texts: Sequence[Any] | None = None) -> np.ndarray:
    """The drawn extents (n, 4: x0 y0 x1 y1, pixels) of ``texts`` (default: every text inside the
    axes of ``fig``, titles and tick labels excluded), measured with the renderer after a draw;
    the text alone, without an annotation's leader line."""
    from matplotlib.text import Text

    renderer = attach_canvas(fig)
    fig.canvas.draw()
    if texts is None:
        texts = [t for ax in fig.axes for t in ax.texts]
    return np.array([[b.x0, b.y0, b.x1, b.y1] for b in (Text.get_window_extent(t, renderer) for t in texts)]).reshape(-1, 4)


def overlapping_pairs(boxes: np.ndarray, tolerance: float = 0.0) -> list[tuple[int, int]]:
    """Index pairs (i < j) of ``boxes`` (n, 4) that overlap by more than ``tolerance`` pixels both ways."""
    b = np.asarray(boxes, dtype=np.float64)
    ix = np.minimum(b[:, None, 2], b[None, :, 2]) - np.maximum(b[:, None, 0], b[None, :, 0])
    iy = np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1])
    hit = (ix > tolerance) & (iy > tolerance)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(np.triu(hit, 1)))]
