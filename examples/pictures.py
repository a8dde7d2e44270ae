"""Pictures the examples write with numpy alone, so `make demo` needs no plotting library.

`write_png` encodes an RGB array as a PNG (zlib is in the standard library);
`decision_boundary` paints a classifier's probability over the plane with the data on top;
`line_chart_svg` draws curves such as a loss history as a hand-written SVG.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

# class 0 blue, class 1 orange: pale for the background, saturated for the points
_PALE = np.array([[191, 219, 254], [254, 215, 170]], dtype=np.float64)
_STRONG = np.array([[37, 99, 235], [234, 88, 12]], dtype=np.uint8)
_INK = np.array([31, 41, 55], dtype=np.uint8)


def write_png(path: str | Path, rgb: np.ndarray) -> Path:
    """Write an (height, width, 3) uint8 array as an 8-bit RGB PNG.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = write_png(Path(tmp) / "dot.png", np.zeros((2, 3, 3), dtype=np.uint8))
    ...     p.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"write_png expects a (height, width, 3) uint8 array, received {rgb.shape} {rgb.dtype}")
    height, width, _ = rgb.shape
    # each row starts with its filter type, 0 (none)
    rows = np.concatenate([np.zeros((height, 1), dtype=np.uint8), rgb.reshape(height, -1)], axis=1)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    data += chunk(b"IDAT", zlib.compress(rows.tobytes(), 9)) + chunk(b"IEND", b"")
    path = Path(path)
    path.write_bytes(data)
    return path


def decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    size: int = 360,
    margin: float = 0.5,
) -> np.ndarray:
    """An RGB image: the background coloured by `predict` (probability of class 1), the
    0.5 contour in dark ink, and the points of X coloured by their label y."""
    lo = X.min(axis=0) - margin
    hi = X.max(axis=0) + margin
    xs = np.linspace(lo[0], hi[0], size)
    ys = np.linspace(hi[1], lo[1], size)  # row 0 is the top of the picture
    gx, gy = np.meshgrid(xs, ys)
    p = np.asarray(predict(np.stack([gx.ravel(), gy.ravel()], axis=1)), dtype=np.float64)
    p = p.reshape(size, size)
    image = (1 - p)[..., None] * _PALE[0] + p[..., None] * _PALE[1]
    image = image.astype(np.uint8)
    side = p > 0.5  # the boundary: where a pixel and its right or lower neighbour disagree
    edge = np.zeros_like(side)
    edge[:, :-1] |= side[:, :-1] != side[:, 1:]
    edge[:-1, :] |= side[:-1, :] != side[1:, :]
    image[edge] = _INK
    cols = np.round((X[:, 0] - lo[0]) / (hi[0] - lo[0]) * (size - 1)).astype(int)
    rows = np.round((hi[1] - X[:, 1]) / (hi[1] - lo[1]) * (size - 1)).astype(int)
    dy, dx = np.mgrid[-4:5, -4:5]
    disc = dy**2 + dx**2
    for r, c, label in zip(rows, cols, y.astype(int)):
        for radius2, color in ((16, _INK), (9, _STRONG[label])):  # a dark ring, then the fill
            inside = disc <= radius2
            rr, cc = r + dy[inside], c + dx[inside]
            keep = (rr >= 0) & (rr < size) & (cc >= 0) & (cc < size)
            image[rr[keep], cc[keep]] = color
    return image


def line_chart_svg(
    path: str | Path,
    series: Mapping[str, Sequence[float]],
    title: str,
    xlabel: str = "epoch",
    width: int = 560,
    height: int = 300,
) -> Path:
    """Write the curves in `series` (name -> values per step) as a small SVG chart."""
    colors = ["#2563eb", "#ea580c", "#16a34a", "#9333ea"]
    left, right, top, bottom = 60, 20, 36, 44
    w, h = width - left - right, height - top - bottom
    values = np.concatenate([np.asarray(v, dtype=np.float64) for v in series.values()])
    lo, hi = float(values.min()), float(values.max())
    if hi == lo:
        hi = lo + 1.0
    steps = max(len(v) for v in series.values())
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="Helvetica,Arial,sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="20" font-size="14" font-weight="bold">{title}</text>',
        f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#64748b"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="#64748b"/>',
    ]
    for frac in (0.0, 0.5, 1.0):  # three ticks per axis are enough to read a loss curve
        yv = lo + frac * (hi - lo)
        ypix = top + h - frac * h
        parts.append(f'<text x="{left - 6}" y="{ypix + 4:.1f}" text-anchor="end">{yv:.3g}</text>')
        xpix = left + frac * w
        parts.append(
            f'<text x="{xpix:.1f}" y="{top + h + 16}" text-anchor="middle">{round(1 + frac * (steps - 1))}</text>'
        )
    parts.append(f'<text x="{left + w / 2}" y="{height - 8}" text-anchor="middle">{xlabel}</text>')
    for k, (name, curve) in enumerate(series.items()):
        v = np.asarray(curve, dtype=np.float64)
        xs = left + np.arange(len(v)) / max(steps - 1, 1) * w
        ys = top + h - (v - lo) / (hi - lo) * h
        points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys))
        color = colors[k % len(colors)]
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.8" points="{points}"/>')
        parts.append(f'<text x="{left + w - 4}" y="{top + 14 + 16 * k}" text-anchor="end" fill="{color}">{name}</text>')
    parts.append("</svg>")
    path = Path(path)
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path
