"""draw_graph / save_graph: DOT structure, real SVG renders, collapsing, missing Graphviz."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import numpy as np
import pytest

from autograd import Tensor, Value, draw_graph, name_scope, save_graph
from autograd.viz import LEGEND, GraphvizNotFoundError

NODE = re.compile(r"^\t(\w+) \[(.*)\]$")
EDGE = re.compile(r"^\t(\w+) -> (\w+)")


def nodes(graph: graphviz.Digraph) -> dict[str, str]:
    """DOT node id -> its attribute text (clusters included)."""
    found = {}
    for line in graph.source.splitlines():
        line = line.replace("\t\t", "\t")  # statements inside a cluster are indented twice
        match = NODE.match(line)
        if match and match.group(1) not in ("graph", "node", "edge"):
            found[match.group(1)] = match.group(2)
    return found


def edges(graph: graphviz.Digraph) -> list[tuple[str, str]]:
    return [m.groups() for m in map(EDGE.match, graph.source.splitlines()) if m]


def data_nodes(graph: graphviz.Digraph) -> dict[str, str]:
    return {k: v for k, v in nodes(graph).items() if re.fullmatch(r"n\d+", k)}


def find(graph: graphviz.Digraph, fragment: str) -> str:
    """The id of the one node whose attributes contain `fragment`."""
    hits = [k for k, v in nodes(graph).items() if fragment in v]
    assert len(hits) == 1, f"{fragment!r} matches {hits}"
    return hits[0]


def fill(attrs: str) -> str:
    return re.search(r'fillcolor="([^"]+)"', attrs).group(1)


def neuron() -> dict[str, Value]:
    """micrograd's neuron: o = tanh(x1*w1 + x2*w2 + b)."""
    v = {
        "x1": Value(2.0, label="x1"),
        "x2": Value(0.0, label="x2"),
        "w1": Value(-3.0, label="w1"),
        "w2": Value(1.0, label="w2"),
        "b": Value(6.8813735870195432, label="b"),
    }
    n = v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]
    v["n"], v["o"] = n, n.tanh()
    v["o"].label = "o"
    return v


def value_graph(n_nodes: int) -> Value:
    """Exactly `n_nodes` nodes: a sum of tanh(x_i * w_i) (as in benchmarks/render.py)."""
    terms, rest = divmod(n_nodes - 1, 5)
    total = Value(0.0)
    for i in range(terms):
        total = total + (Value(i / terms, requires_grad=False) * Value(0.5)).tanh()
    for _ in range(rest):
        total = total * 0.5
    return total


# -- what a node shows ------------------------------------------------------------------


def test_neuron_after_backward_shows_label_data_and_grad() -> None:
    v = neuron()
    v["o"].backward()
    graph = draw_graph(v["o"])
    assert len(data_nodes(graph)) == 10
    ops = [re.search(r"label=(\S+)", a).group(1) for k, a in nodes(graph).items() if "_op" in k]
    assert sorted(ops) == sorted(['"*"', '"*"', '"+"', '"+"', '"tanh"'])
    x1 = nodes(graph)[find(graph, "<b>x1</b>")]
    assert "data 2.0000" in x1 and "grad -1.5000" in x1
    w2 = nodes(graph)[find(graph, "<b>w2</b>")]
    assert "data 1.0000" in w2 and "grad 0.0000" in w2
    assert "data 0.7071" in nodes(graph)[find(graph, "<b>o</b>")]
    assert len(edges(graph)) == 14  # 5 leaves + 4 results feed ops, 5 ops feed their result


def test_released_graph_draws_like_the_live_one() -> None:
    v = neuron()
    before = draw_graph(v["o"])
    assert "grad 0.0000" in nodes(before)[find(before, "<b>w1</b>")]
    v["o"].backward()
    assert v["o"]._fn is not None and v["o"]._fn.released
    after = draw_graph(v["o"])
    assert edges(before) == edges(after)
    op_labels = lambda g: {k: a for k, a in nodes(g).items() if k.endswith("_op")}  # noqa: E731
    assert op_labels(before) == op_labels(after)


def test_each_kind_has_its_own_look_and_a_legend_entry() -> None:
    x = Value(3.0, label="x", requires_grad=False)
    w = Value(0.5, label="w")
    h = x * w
    h.label = "h"
    out = h + 2.0
    out.label = "out"
    graph = draw_graph(out)
    looks = {
        "input": fill(nodes(graph)[find(graph, "<b>x</b>")]),
        "parameter": fill(nodes(graph)[find(graph, "<b>w</b>")]),
        "intermediate": fill(nodes(graph)[find(graph, "<b>h</b>")]),
        "output": fill(nodes(graph)[find(graph, "<b>out</b>")]),
        "constant": nodes(graph)[find(graph, 'label="2" ')],
        "op": nodes(graph)[find(graph, 'label="+"')],
    }
    assert len(set(looks.values())) == len(looks)
    assert "dashed" in looks["constant"] and 'shape="ellipse"' in looks["op"]
    assert set(looks) | {"collapsed", "highlight", "cluster"} <= set(LEGEND)
    assert "grad" not in nodes(graph)[find(graph, "<b>x</b>")]  # an input never gets one


def test_reused_node_is_drawn_once_with_an_edge_per_use() -> None:
    a = Value(1.5, label="a")
    b = a + a
    c = b * b
    graph = draw_graph(c)
    assert len(data_nodes(graph)) == 3
    a_id, b_id = find(graph, "<b>a</b>"), find(graph, "data 3.0000")
    assert edges(graph).count((a_id, f"{b_id}_op")) == 2
    assert edges(graph).count((b_id, f"{find(graph, 'data 9.0000')}_op")) == 2


def test_diamond_shares_its_source() -> None:
    a = Value(2.0, label="a")
    d = (a * 3.0) * (a + 1.0)
    graph = draw_graph(d)
    a_id = find(graph, "<b>a</b>")
    assert len(data_nodes(graph)) == 4
    assert sum(1 for tail, _ in edges(graph) if tail == a_id) == 2


def test_constants_are_small_nodes_for_floats_and_arrays() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = (x * np.array([3.0, 4.0]) + np.ones((3, 2, 2))).sum()
    graph = draw_graph(y)
    assert "[3, 4]" in nodes(graph)[find(graph, 'label="[3, 4]"')]
    assert find(graph, "const 3×2×2 float64")
    scalar = draw_graph(Value(2.0) * 2.5)
    assert find(scalar, 'label="2.5" ')


def test_tensor_nodes_show_shape_dtype_values_or_summary_and_grad() -> None:
    small = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True, name="W")
    big = Tensor(np.linspace(-1.0, 3.0, 100), name="x")
    loss = (small.sum() * big).mean()
    loss.name = "loss"
    before = draw_graph(loss)
    w = nodes(before)[find(before, "<b>W</b>")]
    assert "2×3 float32" in w and "[[0, 1, 2]," in w and "[3, 4, 5]]" in w and "grad" not in w
    assert "min -1 · mean 1 · max 3" in nodes(before)[find(before, "<b>x</b>")]
    loss.backward()
    after = draw_graph(loss)
    w = nodes(after)[find(after, "<b>W</b>")]
    assert "grad [[1, 1, 1]," in w  # d mean(sum(W) * x) / dW = mean(x) = 1
    assert "grad" not in nodes(after)[find(after, "<b>loss</b>")]  # intermediates keep none


def test_gradients_that_are_nodes_show_their_value() -> None:
    x = Value(3.0, label="x")
    (x * x).backward(create_graph=True)
    assert isinstance(x.grad, Value)
    graph = draw_graph(x * x)
    assert "grad 6.0000" in nodes(graph)[find(graph, "<b>x</b>")]


def test_show_flags_and_rankdir() -> None:
    v = neuron()
    graph = draw_graph(v["o"], show_data=False, show_grad=False, rankdir="TB")
    assert "rankdir=TB" in graph.source
    assert not re.search(r">(data|grad) ", graph.source)
    assert re.search(r">data 2.0000<", draw_graph(v["o"]).source)


# -- grouping and emphasis ----------------------------------------------------------------


def clusters_of(graph: graphviz.Digraph) -> dict[str, str]:
    """Cluster label -> the text of its block."""
    blocks = graph.source.split("subgraph ")[1:]
    label = re.compile(r'label=(?:"([^"]+)"|(\w+))')
    return {"".join(label.search(b).groups("")): b.split("\n\t}")[0] for b in blocks}


def test_name_scope_draws_a_cluster_holding_its_tensors_and_ops() -> None:
    x = Tensor(np.ones((2, 3)), name="x")
    with name_scope("dense (Dense)"):
        kernel = Tensor(np.ones((3, 2)), requires_grad=True, name="kernel")
        h = (x @ kernel).relu()
    with name_scope("dense_1 (Dense)"):
        out = h.sum()
    graph = draw_graph(out)
    frames = clusters_of(graph)
    assert set(frames) == {"dense (Dense)", "dense_1 (Dense)"}
    relu = find(graph, 'label="relu"').removesuffix("_op")
    inside = frames["dense (Dense)"]
    assert f"\t{relu} [" in inside and f"\t{relu}_op [" in inside
    assert f"\t{find(graph, '<b>kernel</b>')} [" in inside
    assert f"\t{find(graph, '<b>x</b>')} [" not in inside  # made outside the scope


def test_user_clusters_and_highlight() -> None:
    v = neuron()
    graph = draw_graph(v["o"], clusters={"inputs": [v["x1"], v["x2"]]}, highlight=[v["w1"], v["o"]])
    inside = clusters_of(graph)["inputs"]
    assert f"\t{find(graph, '<b>x1</b>')} [" in inside
    assert f"\t{find(graph, '<b>x2</b>')} [" in inside
    red = 'color="#dc2626"'
    assert red in nodes(graph)[find(graph, "<b>w1</b>")]
    assert red in nodes(graph)[find(graph, "<b>o</b>")]
    assert red not in nodes(graph)[find(graph, "<b>w2</b>")]


def test_bad_arguments_are_rejected_with_what_was_received() -> None:
    v = neuron()
    with pytest.raises(TypeError, match="received float"):
        draw_graph(3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'XY'"):
        draw_graph(v["o"], rankdir="XY")
    for bad in (0, 1, 2.5, True):
        with pytest.raises(ValueError, match="max_nodes"):
            draw_graph(v["o"], max_nodes=bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="highlight"):
        draw_graph(v["o"], highlight=[1.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="not in the graph"):
        draw_graph(v["o"], highlight=[Value(1.0)])
    with pytest.raises(TypeError, match="clusters"):
        draw_graph(v["o"], clusters=[v["x1"]])  # type: ignore[arg-type]


# -- large graphs ---------------------------------------------------------------------


def test_a_chain_of_elementwise_ops_collapses_into_one_op() -> None:
    x = Value(0.5, label="x")
    y = x.tanh() * 2.0 + 1.0
    assert len(data_nodes(draw_graph(y))) == 4  # under max_nodes: everything
    graph = draw_graph(y, max_nodes=2)
    assert len(data_nodes(graph)) == 2
    assert find(graph, "tanh → * → + (3 ops)").endswith("_op")
    assert "collapsed 2 of 4 nodes: 1 chain of elementwise ops (2 nodes)" in graph.source


def test_scopes_collapse_into_one_box_each_when_chains_are_not_enough() -> None:
    h = Tensor(np.ones((2, 4)), name="x")
    for k in range(4):
        with name_scope(f"dense_{k} (Dense)"):
            kernel = Tensor(np.full((4, 4), 0.1), requires_grad=True, name="kernel")
            h = (h @ kernel + np.zeros(4)).tanh()
    loss = h.sum()
    graph = draw_graph(loss, max_nodes=8)
    boxes = {k: a for k, a in nodes(graph).items() if k.startswith("scope")}
    assert len(boxes) == 4
    assert all("1 parameter (16 values)" in a and "4 nodes collapsed" in a for a in boxes.values())
    assert "dense_2 (Dense)" in " ".join(boxes.values())
    chain = [(a, b) for a, b in edges(graph) if a.startswith("scope") and b.startswith("scope")]
    assert len(chain) == 3
    assert "collapsed 16 of 18 nodes: 4 scopes (16 nodes)" in graph.source


def _fan(uses: int, leaf: bool = False) -> Tensor:
    """A scope in which one node feeds `uses` ops: the shape of an unrolled recurrent layer."""
    with name_scope("rnn (SimpleRNN)"):
        w = Tensor([0.5], requires_grad=True, name="w")
        shared = w if leaf else w * 2.0  # a computed node (an unstacked input) or a weight
        h = Tensor([1.0])
        for _ in range(uses):
            h = h * shared + 1.0
    return h.sum()


def test_a_box_feeding_many_others_collapses_its_scope_though_under_max_nodes() -> None:
    wide = draw_graph(_fan(30))  # ~62 nodes, far below max_nodes=300, but one feeds 30 ops
    assert any(k.startswith("scope") for k in nodes(wide)), "the fan was drawn in full"
    assert "1 scope" in wide.source
    narrow = draw_graph(_fan(10))  # a fan of 10 lays out quickly: drawn in full
    assert not any(k.startswith("scope") for k in nodes(narrow))
    assert "collapsed" not in narrow.source


def test_a_leaf_used_many_times_is_drawn_once_with_a_stub_at_each_other_use() -> None:
    graph = draw_graph(_fan(30, leaf=True))  # a weight used by 30 ops: no fan, no collapse
    assert "collapsed" not in graph.source
    stubs = [k for k in nodes(graph) if "_use" in k]
    assert len(stubs) == 29 and all("w (used 30×)" in nodes(graph)[k] for k in stubs)
    assert "used 30×" in nodes(graph)[find(graph, "<b>w</b>")]
    tails = [a for a, _ in edges(graph)]
    assert tails.count(find(graph, "<b>w</b>")) == 1  # one edge from the full box
    start = time.perf_counter()
    graph.pipe(format="svg")
    assert time.perf_counter() - start < 5.0


def test_a_layout_over_its_time_budget_is_drawn_coarser_and_says_so() -> None:
    x = Value(0.5, label="x")
    leaves = [Value(0.1, label=f"w{i}") for i in range(40)]
    for i in range(900):  # crossing edges from 40 leaves (each under the stub threshold)
        x = x * leaves[(i * 7) % 40] + 0.001
    graph = draw_graph(x, max_nodes=None, layout_timeout=0.05)
    svg = graph.pipe(format="svg").decode()
    assert "dot took over 0.05 s on the full picture: drawn again with max_nodes=" in svg
    assert "svg" in svg[:200]
    with pytest.raises(ValueError, match="layout_timeout must be a positive number"):
        draw_graph(x, layout_timeout=0)


def test_10k_value_graph_is_collapsed_to_max_nodes_and_renders(tmp_path: Path) -> None:
    root = value_graph(10_000)
    root.backward()
    graph = draw_graph(root)
    drawn = data_nodes(graph)
    assert 250 <= len(drawn) < 300  # the default max_nodes counts boxes, incl. "… more"
    more = nodes(graph)["more"]
    hidden = int(re.search(r"… ([\d,]+) more nodes", more).group(1).replace(",", ""))
    caption = re.search(r"collapsed ([\d,]+) of 10,000 nodes: (.*?)\\l", graph.source)
    assert caption is not None
    collapsed = int(caption.group(1).replace(",", ""))
    assert collapsed + len(drawn) == 10_000
    assert "chains of elementwise ops" in caption.group(2) and "farthest" in caption.group(2)
    assert hidden > 9_000
    assert "* → tanh (2 ops)" in graph.source  # x_i * w_i feeds only its tanh
    svg = save_graph(root, tmp_path / "big.svg")
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_max_nodes_none_draws_every_node() -> None:
    root = value_graph(1_000)
    graph = draw_graph(root, max_nodes=None)
    assert len(data_nodes(graph)) == 1_000
    assert "collapsed" not in graph.source and "more" not in nodes(graph)


def test_drawing_a_huge_graph_in_full_warns() -> None:
    root = value_graph(3_000)
    with pytest.warns(UserWarning, match="can take many minutes"):
        draw_graph(root, max_nodes=None)


def test_a_100k_node_graph_does_not_hit_the_recursion_limit() -> None:
    x = Value(1.0, label="x")
    y = x
    for _ in range(100_000):
        y = y + x  # two node inputs each: no chain to collapse, the far nodes are cut
    graph = draw_graph(y)
    assert len(data_nodes(graph)) <= 300
    assert "collapsed 99,7" in graph.source
    deep = Value(0.1)
    for _ in range(100_000):
        deep = deep * 1.0
    chain = draw_graph(deep)
    assert len(data_nodes(chain)) == 2 and "* ×100,000 (100,000 ops)" in chain.source


# -- files, missing Graphviz, Jupyter -----------------------------------------------------


def test_save_graph_picks_the_format_from_the_suffix(tmp_path: Path) -> None:
    o = neuron()["o"]
    o.backward()
    svg = save_graph(o, tmp_path / "neuron.svg")
    assert svg == tmp_path / "neuron.svg"
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "data 2.0000" in svg.read_text()
    assert (save_graph(o, tmp_path / "n.png")).read_bytes().startswith(b"\x89PNG")
    assert (save_graph(o, str(tmp_path / "n.pdf"))).read_bytes().startswith(b"%PDF")
    dot = save_graph(o, tmp_path / "n.dot", rankdir="TB")
    assert dot.read_text().startswith("digraph") and "rankdir=TB" in dot.read_text()
    with pytest.raises(ValueError, match=r"'\.jpg'.*\.dot.*\.pdf.*\.png.*\.svg"):
        save_graph(o, tmp_path / "n.jpg")


def test_the_digraphs_own_render_works(tmp_path: Path) -> None:
    graph = draw_graph(neuron()["o"])
    out = graph.render(outfile=tmp_path / "own.svg", cleanup=True)
    assert ET.parse(out).getroot().tag.endswith("svg")


def test_without_dot_the_source_and_dot_files_work_and_rendering_explains(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    o = neuron()["o"]
    graph = draw_graph(o)
    assert graph.source.startswith("digraph")
    assert save_graph(o, tmp_path / "g.dot").read_text() == graph.source
    renders = [
        lambda: save_graph(o, tmp_path / "g.svg"),
        lambda: graph.render(outfile=tmp_path / "own.png"),
        lambda: graph._repr_mimebundle_(),
    ]
    for render in renders:
        with pytest.raises(GraphvizNotFoundError) as caught:
            render()
        message = str(caught.value)
        assert "apt-get install graphviz" in message and "brew install graphviz" in message
        assert isinstance(caught.value, RuntimeError)
        assert isinstance(caught.value, graphviz.ExecutableNotFound)
    assert not (tmp_path / "g.svg").exists()


def test_jupyter_displays_the_graph_inline() -> None:
    graph = draw_graph(neuron()["o"])
    assert isinstance(graph, graphviz.Digraph)
    bundle = graph._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml"}
    assert "<svg" in bundle["image/svg+xml"] and "grad 0.0000" in bundle["image/svg+xml"]
