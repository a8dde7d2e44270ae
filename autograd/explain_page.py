"""`explain(output).save("backward.html")`: a page to step through backward, one node a step.

One self-contained file: the graph's SVG (laid out once by `dot`), the steps as JSON and a
small script, all inline (no network, no CDN). The current step's node is outlined in red, the
nodes whose gradient is already final are tinted, and the step's arithmetic stands beside the
graph; the buttons and the arrow keys (Home/End too) move through the steps.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

from autograd.viz import draw_graph

if TYPE_CHECKING:
    from autograd.explain import Explanation

_STYLE = """
body { font: 14px/1.45 Helvetica, Arial, sans-serif; margin: 0; color: #0f172a; }
header { padding: 10px 16px; background: #f1f5f9; border-bottom: 1px solid #cbd5e1; }
header h1 { font-size: 17px; margin: 0 0 4px 0; }
main { padding: 8px 16px; }
#graph { overflow: auto; border: 1px solid #e2e8f0; border-radius: 6px; padding: 6px; }
#panel { position: sticky; top: 0; background: white; padding-bottom: 4px; }
#panel h2 { font-size: 16px; margin: 8px 0 2px 0; }
#panel pre { white-space: pre-wrap; background: #f8fafc; border: 1px solid #e2e8f0;
             border-radius: 6px; padding: 8px; font-size: 13px; }
button { font-size: 14px; padding: 5px 14px; margin-right: 6px; }
.node.done polygon, .node.done path, .node.done ellipse { fill: #fef3c7; }
.node.current polygon, .node.current path, .node.current ellipse {
  stroke: #dc2626; stroke-width: 4px; }
.hint { color: #64748b; font-size: 12px; }
"""

_SCRIPT = """
const data = JSON.parse(document.getElementById("steps").textContent);
const steps = data.steps;
const nodes = {};
for (const g of document.querySelectorAll("#graph g.node")) {
  const title = g.querySelector("title");
  if (title) nodes[title.textContent.trim()] = g;
}
let current = 0;
function show(i) {
  current = Math.max(0, Math.min(steps.length - 1, i));
  const step = steps[current];
  for (const g of Object.values(nodes)) g.classList.remove("current", "done");
  for (let k = 0; k < current; k++) {
    const g = nodes[steps[k].node_id];
    if (g) g.classList.add("done");
  }
  const here = nodes[step.node_id];
  if (here) here.classList.add("current");
  document.body.dataset.step = String(current);
  document.body.dataset.node = step.node_id;
  document.getElementById("counter").textContent = `step ${current + 1} of ${steps.length}`;
  document.getElementById("title").textContent =
    `${step.label}` + (step.op ? `  (made by ${step.op})` : "  (a leaf)");
  document.getElementById("grad").textContent =
    `d${data.output_name}/d(${step.label}) = ${step.grad_text === null ? "none" : step.grad_text}`;
  document.getElementById("text").textContent = step.text;
  document.getElementById("prev").disabled = current === 0;
  document.getElementById("next").disabled = current === steps.length - 1;
}
document.getElementById("prev").addEventListener("click", () => show(current - 1));
document.getElementById("next").addEventListener("click", () => show(current + 1));
document.addEventListener("keydown", (event) => {
  const moves = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1};
  if (event.key in moves) show(current + moves[event.key]);
  else if (event.key === "Home") show(0);
  else if (event.key === "End") show(steps.length - 1);
  else return;
  event.preventDefault();
});
show(0);
"""


def page(explanation: Explanation) -> str:
    """The HTML text of the page (`save_page` writes it).

    >>> from autograd import Value, explain
    >>> w = Value(2.0, label="w")
    >>> text = page(explain(w * 3.0))
    >>> text.startswith("<!DOCTYPE html>"), "<svg" in text, "http" in text.split("<svg")[0]
    (True, True, False)
    """
    svg = draw_graph(explanation.output, show_grad=False).pipe(format="svg").decode("utf-8")
    svg = svg[svg.index("<svg"):]  # inline: without the XML declaration and doctype
    # JSON inside <script>: "</" would end the element early
    steps = json.dumps(explanation.to_dict()).replace("</", "<\\/")
    root = explanation.steps[0]
    title = f"backward from {root.label}: {len(explanation.steps)} steps"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n<body>"
        f"<header><h1>{html.escape(title)}</h1><div class=\"hint\">the chain rule, one node a "
        "step, in reverse topological order: ← → (or the buttons) to move, Home/End to jump; "
        "red: the current node, amber: nodes whose gradient is final</div></header>\n"
        "<main><div id=\"panel\">"
        "<div><button id=\"prev\">← previous</button><button id=\"next\">next →</button>"
        "<span id=\"counter\"></span></div><h2 id=\"title\"></h2><div id=\"grad\"></div>"
        f"<pre id=\"text\"></pre></div>\n<div id=\"graph\">{svg}</div></main>\n"
        f"<script type=\"application/json\" id=\"steps\">{steps}</script>\n"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


def save_page(explanation: Explanation, path: str | Path) -> Path:
    """Write the page to `path` (an `.html` name) and return the path.

    >>> import tempfile, pathlib
    >>> from autograd import Value, explain
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = save_page(explain(Value(2.0) * 3.0), pathlib.Path(tmp) / "backward.html")
    ...     out.stat().st_size > 1000
    True
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"explain(...).save expects an .html path, received {str(path)!r}")
    path.write_text(page(explanation), encoding="utf-8")
    return path

