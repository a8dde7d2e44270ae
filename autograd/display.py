"""What Jupyter shows for a node or a model: a graph as inline SVG, a summary as an HTML table.

`Value`, `Tensor` and `nn.Model` call these from their `_repr_mimebundle_`; IPython is never
imported here, so none of this is a runtime dependency.
"""

from __future__ import annotations

import html
import subprocess
from collections.abc import Iterable, Sequence
from typing import Any

from autograd.engine import Node

_SVG = "image/svg+xml"


def wants(mime: str, include: Iterable[str] | None, exclude: Iterable[str] | None) -> bool:
    """Whether the front end asked for `mime` (IPython passes `include` / `exclude` lists).

    >>> wants("text/html", None, None), wants("text/html", ["text/plain"], None)
    (True, False)
    """
    return (include is None or mime in include) and mime not in (exclude or ())


def graph_svg(node: Node) -> str | None:
    """`draw_graph(node)` laid out by `dot` as SVG text, or None when `dot` is missing or fails.

    >>> from autograd import Value
    >>> svg = graph_svg(Value(2.0, label="a") * 3)
    >>> svg is None or "<svg" in svg  # None only on a machine without Graphviz
    True
    """
    from autograd.viz import draw_graph  # graphviz is imported only when a picture is asked for

    try:
        svg = draw_graph(node).pipe(format="svg", encoding="utf-8")
    except (RuntimeError, OSError, subprocess.SubprocessError):  # no dot, dot failed or timed out
        return None
    return svg if isinstance(svg, str) else None


def node_bundle(
    node: Node, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
) -> dict[str, str]:
    """A node's repr as text, plus its graph as SVG when an op made it (a leaf is one box).

    >>> from autograd import Value
    >>> sorted(node_bundle(Value(2.0)))  # a leaf: its repr only
    ['text/plain']
    >>> bundle = node_bundle(Value(2.0) * 3)
    >>> bundle["text/plain"], "<svg" in bundle.get("image/svg+xml", "<svg")
    ('Value(data=6.0, grad=0.0)', True)
    """
    bundle = {"text/plain": repr(node)}
    if node._fn is not None and wants(_SVG, include, exclude):
        svg = graph_svg(node)
        if svg is not None:
            bundle[_SVG] = svg
    return bundle


def html_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    caption: str = "",
    footer: Sequence[str] = (),
) -> str:
    """An HTML table, every cell escaped, numbers right-aligned; `footer` lines go below it.

    >>> table = html_table(["name", "n"], [["a<b", 1200]], footer=["Total: 1,200"])
    >>> '<td style="text-align:left">a&lt;b</td><td style="text-align:right">1,200</td>' in table
    True
    """

    def cell(value: Any) -> str:
        align = "right" if isinstance(value, (int, float)) else "left"
        text = f"{value:,}" if isinstance(value, int) else str(value)
        return f'<td style="text-align:{align}">{html.escape(text)}</td>'

    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    top = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    notes = "<br>".join(html.escape(line) for line in footer)
    bottom = f'<tfoot><tr><td colspan="{len(header)}">{notes}</td></tr></tfoot>' if notes else ""
    return f"<table>{top}<thead><tr>{head}</tr></thead><tbody>{body}</tbody>{bottom}</table>"


__all__ = ["graph_svg", "html_table", "node_bundle", "wants"]
