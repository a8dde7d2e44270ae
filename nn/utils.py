"""Helpers shared by the nn modules, starting with the random generator of each thread."""

from __future__ import annotations

import random
import threading
from typing import Any

import numpy as np

from autograd.tracing import ACTIVE as _TRACING
from autograd.tracing import note

# ---------------------------------------------------------------------------------------
# Randomness: one seed fixes every initial weight, dropout mask and shuffle of the thread that
# set it. Each thread that calls set_random_seed gets its own generator, so two models trained
# in two threads draw the same numbers as when trained one after the other (issue 16, item 11).

# the process's stream: the main thread's, and that of every thread that never seeded its own
_RNG: np.random.Generator = np.random.default_rng()
_LOCAL = threading.local()  # .generator: the calling thread's own, once it seeded


def set_random_seed(seed: int) -> None:
    """Seed the calling thread's generator (`rng()`), Python's `random` and `np.random`, as
    Keras does.

    The same seed gives the same initial weights, the same shuffles and so the same history,
    whatever other threads draw meanwhile: a thread that seeds gets a generator of its own (the
    main thread's is also the process's stream, which unseeded threads share). `random` and
    `np.random` stay process-wide, as in Python; our layers never draw from them.

    >>> set_random_seed(42)
    >>> a = rng().normal(size=3)
    >>> set_random_seed(42)
    >>> bool((rng().normal(size=3) == a).all())
    True
    """
    global _RNG
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"set_random_seed expects an int, received {seed!r}")
    if not 0 <= seed < 2**32:  # np.random.seed's range
        raise ValueError(f"set_random_seed expects 0 <= seed < 2**32, received {seed}")
    random.seed(int(seed))
    np.random.seed(int(seed))
    generator = np.random.default_rng(int(seed))
    _LOCAL.generator = generator
    if threading.current_thread() is threading.main_thread():
        _RNG = generator


def rng() -> np.random.Generator:
    """The calling thread's generator, which every initializer, dropout mask and shuffle
    draws from: the one its last `set_random_seed` made, else the process's.

    >>> isinstance(rng(), np.random.Generator)
    True
    """
    if _TRACING[0]:  # a mask drawn while autograd.jit traces would be frozen into its plan
        note("a random draw from nn.utils.rng() (Dropout, noise)", skip=1)
    return getattr(_LOCAL, "generator", _RNG)


# ---------------------------------------------------------------------------------------
# plot_model: one box per layer, as Keras draws it (owned by the models/layers helper)


def plot_model(
    model: Any,
    to_file: str | None = "model.png",
    show_shapes: bool = True,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    dpi: int = 96,
) -> Any:
    """Draw `model` as boxes (name, type, output shape, parameters) with graphviz: a chain
    for a Sequential, the graph of layer calls for a functional model.

    The picture is written to `to_file` (format from its extension: png, svg, pdf, ...; None
    writes nothing) and the `graphviz.Digraph` is returned (it displays itself in Jupyter).

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dense(4, input_shape=(3,)), nn.layers.Dense(1)])
    >>> dot = nn.utils.plot_model(model, to_file=None)
    >>> "dense_1 (Dense)" in dot.source and "(None, 4)" in dot.source
    True

    Writing the picture (here an SVG, in a temporary directory):

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.svg")
    >>> _ = nn.utils.plot_model(model, to_file=path, rankdir="LR")
    >>> open(path).read().count("<svg")
    1
    """
    import graphviz

    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(
            f"plot_model expects rankdir 'TB', 'LR', 'BT' or 'RL', received {rankdir!r}"
        )
    if not model.built:
        raise ValueError(
            f'plot_model: model "{model.name}" is not built yet: give its first layer an '
            "input_shape or call it on data first"
        )
    dot = graphviz.Digraph(name=model.name, graph_attr={"rankdir": rankdir, "dpi": str(dpi)})
    dot.attr("node", shape="record", fontname="Helvetica", fontsize="11")

    def box(node: str, title: str, kind: str, rows: "list[str]") -> None:
        head = f"{title} ({kind})" if show_layer_names else kind
        fields = [_escape_record(head)] + [_escape_record(r) for r in rows]
        dot.node(node, "{" + "|".join(fields) + "}")

    edges = getattr(model, "_graph_edges", None)
    if edges is not None:  # a functional model: its InputLayers are layers, its edges a DAG
        _draw_graph(model, edges(), box, dot, show_shapes)
        return _write(dot, to_file)
    input_shape = getattr(model, "_batch_input_shape", None)
    previous = "input"
    box(previous, "input", "InputLayer", [f"output: {input_shape}"] if show_shapes else [])
    for i, layer in enumerate(model.layers):
        node = f"layer{i}"
        rows = []
        if show_shapes:
            rows.append(f"input: {layer._build_input_shape} | output: {layer._output_shape}")
        rows.append(f"params: {layer.count_params():,}")
        box(node, layer.name, type(layer).__name__, rows)
        dot.edge(previous, node)
        previous = node
    return _write(dot, to_file)


def _draw_graph(model: Any, edges: Any, box: Any, dot: Any, show_shapes: bool) -> None:
    """A functional model's boxes (one per layer, a shared one once) and arrows (one per
    tensor passed from a layer to the next, as Keras' plot_model draws a DAG)."""
    ids = {id(layer): f"layer{i}" for i, layer in enumerate(model.layers)}
    for layer in model.layers:
        is_input = type(layer).__name__ == "InputLayer"
        rows = []
        if show_shapes and is_input:
            rows.append(f"output: {layer._output_shape}")
        elif show_shapes:
            rows.append(f"input: {layer._build_input_shape} | output: {layer._output_shape}")
        if not is_input:
            rows.append(f"params: {layer.count_params():,}")
        box(ids[id(layer)], layer.name, type(layer).__name__, rows)
    drawn = set()
    for source, target in edges:
        pair = (ids[id(source)], ids[id(target)])
        if pair not in drawn:  # a layer fed twice by the same one: one arrow, as Keras draws it
            drawn.add(pair)
            dot.edge(*pair)


def _write(dot: Any, to_file: str | None) -> Any:
    import os

    if to_file is not None:
        fmt = os.path.splitext(to_file)[1].lstrip(".").lower() or "png"
        data = dot.source.encode() if fmt in ("dot", "gv") else dot.pipe(format=fmt)
        with open(to_file, "wb") as handle:
            handle.write(data)
    return dot


def _escape_record(text: str) -> str:
    """Escape graphviz record-label specials, keeping ' | ' as a field separator."""
    for ch in "{}<>":
        text = text.replace(ch, "\\" + ch)
    return text.replace(" | ", "}|{") if " | " in text else text


# ---------------------------------------------------------------------------------------
# to_categorical: class ids to one-hot rows, as keras.utils.to_categorical


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot rows (float64, as Keras) for integer class ids, the class axis last.

    A trailing axis of size 1 is dropped first (ids of shape (n, 1) give (n, num_classes)),
    and `num_classes` defaults to `max(x) + 1`, as in Keras 3 (keras/src/utils/
    numerical_utils.py). Unlike Keras, an id outside [0, num_classes) or a fractional id
    raises ValueError instead of wrapping around or being truncated.

    >>> to_categorical([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    >>> to_categorical([[1], [0]], num_classes=3).shape
    (2, 3)
    """
    ids = np.asarray(x)
    if ids.dtype.kind not in "iub" and not (
        ids.dtype.kind == "f" and np.all(np.isfinite(ids)) and np.all(ids == np.round(ids))
    ):
        raise ValueError(
            f"to_categorical expects integer class ids, received {ids.dtype} values such as "
            f"{ids.ravel()[:3].tolist()}"
        )
    ids = ids.astype(np.int64)
    shape = ids.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = ids.reshape(-1)
    if num_classes is None or num_classes == 0:  # Keras: `if not num_classes`
        if flat.size == 0:
            raise ValueError("to_categorical: no class ids given and num_classes=None")
        num_classes = int(flat.max()) + 1
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"to_categorical expects an int num_classes, received {num_classes!r}")
    num_classes = int(num_classes)
    if flat.size and (flat.min() < 0 or flat.max() >= num_classes):
        raise ValueError(
            f"to_categorical expects class ids in [0, {num_classes}) for num_classes="
            f"{num_classes}, received ids from {flat.min()} to {flat.max()}"
        )
    one_hot = np.zeros((flat.size, num_classes))
    one_hot[np.arange(flat.size), flat] = 1.0
    return one_hot.reshape(shape + (num_classes,))
