"""The functional API: `nn.Model(inputs, outputs)` over a graph of layer calls.

Layers called on `nn.Input` tensors record each call as a `Node`; `Model(inputs, outputs)`
walks those nodes back from the outputs (as keras/src/ops/function.py's `map_graph`), and
running the model replays them in order on real Tensors, so every gradient comes from the
engine. Several inputs, shared layers and merge layers work; `fit`, `evaluate`, `predict`
take a list (in the order of `model.inputs`) or a dict keyed by input names.

>>> import numpy as np, nn
>>> a, b = nn.Input(shape=(3,), name="a"), nn.Input(shape=(2,), name="b")
>>> merged = nn.layers.concatenate([nn.layers.Dense(4)(a), b])
>>> model = nn.Model([a, b], nn.layers.Dense(1)(merged))
>>> [layer.name for layer in model.layers]
['a', 'dense', 'b', 'concatenate', 'dense_1']
>>> model.predict([np.ones((5, 3)), np.ones((5, 2))], verbose=0).shape
(5, 1)
"""

from __future__ import annotations

import collections
from typing import Any, Callable, Sequence

import numpy as np

from autograd import Tensor
from nn.layers.base import Layer, to_tensor
from nn.layers.input import InputLayer
from nn.layers.symbolic import KerasTensor, Node, is_symbolic
from nn.models import Model
from nn.multi_output import ArrayGroup, Outputs, compile_losses, output_metrics, per_output


class Functional(Model):
    """A model defined by its input and output tensors (what `nn.Model(inputs, outputs)`
    returns); see the module docstring.

    >>> import nn
    >>> inputs = nn.Input(shape=(4,))
    >>> hidden = nn.layers.Dense(8, activation="relu")(inputs)
    >>> model = nn.Model(inputs, nn.layers.Dense(1)(hidden), name="regressor")
    >>> model.name, model.input_shape, model.output_shape, model.count_params()
    ('regressor', (None, 4), (None, 1), 49)
    """

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None) -> None:
        super().__init__(name=name)
        self._single_input = isinstance(inputs, KerasTensor)
        self._single_output = isinstance(outputs, KerasTensor)
        self.inputs = _tensor_list(inputs, "inputs")
        self.outputs = _tensor_list(outputs, "outputs")
        self._nodes, layers = map_graph(self.inputs, self.outputs)
        # the graph's tensors: nodes hold them weakly, so the model keeps them
        self._tensors = [t for node in self._nodes for t in node.outputs]
        for layer in layers:
            self._track(layer)
        if self._single_input:
            self._batch_input_shape = self.inputs[0].shape

    def __setattr__(self, key: str, value: Any) -> None:
        object.__setattr__(self, key, value)  # a functional model's layers come from its graph

    # -- structure ---------------------------------------------------------------------------
    @property
    def input_names(self) -> list[str]:
        """The names of the inputs, in order (the keys of a dict of inputs)."""
        return [t.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        """The outputs' names: the layers that make them (Keras' `output_names`), the keys
        of a dict of targets or losses."""
        names: list[str] = []
        for t in self.outputs:
            h = t._keras_history
            assert h is not None, "checked by _tensor_list"
            several = len(t._node.outputs) > 1  # type: ignore[union-attr]
            name = f"{h.layer.name}_{h.tensor_index}" if several else h.layer.name
            names.append(name if name not in names else f"{name}_{len(names)}")
        return names

    @property
    def input_shape(self) -> Any:
        """The input's batch shape (a list of them with several inputs)."""
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if self._single_input else shapes

    @property
    def output_shape(self) -> Any:
        """The output's batch shape (a list of them with several outputs)."""
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if self._single_output else shapes

    @property
    def built(self) -> bool:
        """Always True: layers are built when called on the inputs."""
        return True

    def build(self, input_shape: Any) -> None:
        """Nothing to do: a functional model is built from its inputs' shapes."""

    # -- running -----------------------------------------------------------------------------
    def __call__(self, inputs: Any, training: bool | None = None) -> Any:
        """Run the graph on arrays or Tensors: one per input (a list, or a dict by name)."""
        return self.call(inputs, training=bool(training))

    def call(self, inputs: Any, training: bool = False) -> Any:
        """Replay every layer call in order on real Tensors; returns the output Tensor (a
        list of them with several outputs).

        >>> import numpy as np, nn
        >>> x = nn.Input(shape=(2,))
        >>> model = nn.Model(x, nn.layers.Dense(1, kernel_initializer="ones")(x))
        >>> model.call(np.array([[1.0, 2.0]]))
        Tensor([[3.]], dtype=float32, requires_grad=True)
        """
        values = {id(t): x for t, x in zip(self.inputs, self._input_tensors(inputs))}
        for node in self._nodes:
            if node.is_input:
                continue
            args = [values[id(t)] for t in node.inputs]
            out = node.layer(args if node.as_list else args[0], training=training)
            outs = out if isinstance(out, (list, tuple)) else [out]
            for tensor, value in zip(node.outputs, outs):
                values[id(tensor)] = value
        results = [values[id(t)] for t in self.outputs]
        return results[0] if self._single_output else Outputs(results)

    def _input_tensors(self, inputs: Any) -> list[Tensor]:
        """One checked Tensor per input, from a single value, a list or a dict by name."""
        if is_symbolic(inputs) or (
            isinstance(inputs, dict) and any(isinstance(v, KerasTensor) for v in inputs.values())
        ):
            raise ValueError(
                f'model "{self.name}" was called on symbolic tensors: using a functional model '
                "as a layer of another model is not supported; call its layers instead"
            )
        values = self._by_input(inputs.arrays if isinstance(inputs, ArrayGroup) else inputs,
                                f'model "{self.name}"')
        tensors = []
        for spec, value in zip(self.inputs, values):
            x = value if isinstance(value, Tensor) else to_tensor(value, spec.dtype, spec.name)
            layer = spec._keras_history.layer  # type: ignore[union-attr]
            if x.ndim != len(spec.shape):
                raise ValueError(
                    f'model "{self.name}": input "{spec.name}" expects a batch of shape '
                    f"{spec.shape}, received shape {x.shape}"
                )
            layer._check_input_shape(x.shape)
            tensors.append(x)
        return tensors

    def _by_input(self, data: Any, where: str) -> list[Any]:
        """`data` as one value per input, in the order of `model.inputs`."""
        names = self.input_names
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(names))
            missing = [n for n in names if n not in data]
            if unknown or missing:
                raise ValueError(
                    f"{where} expects a dict with the keys {names} (the input names), received "
                    f"keys {sorted(data)}"
                )
            return [data[n] for n in names]
        if len(names) == 1:
            one = (isinstance(data, (list, tuple)) and len(data) == 1
                   and isinstance(data[0], (Tensor, np.ndarray)))
            return [data[0] if one else data]
        if not isinstance(data, (list, tuple)) or len(data) != len(names):
            count = len(data) if isinstance(data, (list, tuple)) else "a single array"
            raise ValueError(
                f"{where} has {len(names)} inputs {names}: pass a list of {len(names)} arrays "
                f"(in that order) or a dict keyed by those names, received {count}"
            )
        return list(data)

    # -- data for fit / evaluate / predict ---------------------------------------------------
    def _inputs(self, x: Any, where: str) -> Any:
        """x as one array per input (checked against each input's shape): a single array
        for a one-input model, else an ArrayGroup that fit slices into batches."""
        from nn.training import _numeric

        if x is None:
            raise ValueError(f"{where}: x is required")
        values = self._by_input(x, where)
        if self._single_input:
            return super()._inputs(values[0], where)
        arrays = []
        for spec, value in zip(self.inputs, values):
            array = _numeric(value, f'x["{spec.name}"]', where)
            if array.ndim == 1:
                array = array.reshape(-1, 1)  # as Keras: a 1-D x is one feature per sample
            if array.ndim != len(spec.shape) or any(
                e is not None and e != got for e, got in zip(spec.shape[1:], array.shape[1:])
            ):
                raise ValueError(
                    f'{where}: input "{spec.name}" expects shape {spec.shape}, received x of '
                    f"shape {array.shape}"
                )
            arrays.append(array.astype(spec.dtype, copy=False))
        counts = {len(a) for a in arrays}
        if len(counts) != 1:
            sizes = {n: len(a) for n, a in zip(self.input_names, arrays)}
            raise ValueError(
                f"{where}: every input needs the same number of samples, received {sizes}"
            )
        if 0 in counts:
            raise ValueError(f"{where}: x holds no samples")
        return ArrayGroup(arrays)

    def _targets(self, y: Any, count: int, where: str, output_shape: Any = None) -> Any:
        """y as an array, or with several outputs one checked array per output (a list in
        the order of `model.outputs`, or a dict by output name)."""
        if self._single_output:
            if isinstance(y, dict) and list(y) == self.output_names:
                y = y[self.output_names[0]]
            return super()._targets(y, count, where)
        if y is None:
            raise ValueError(f"{where}: y (the targets) is required")
        names = self.output_names
        if isinstance(y, ArrayGroup):
            values = y.arrays
        elif isinstance(y, dict):
            values = per_output(y, names, "y")
        elif isinstance(y, (list, tuple)) and len(y) == len(names):
            values = list(y)
        else:
            raise ValueError(
                f"{where}: the model has {len(names)} outputs {names}: pass y as a list of "
                f"{len(names)} arrays (in that order) or a dict keyed by those names"
            )
        return ArrayGroup([
            super(Functional, self)._targets(value, count, f"{where} (output {name!r})", t.shape)
            for value, name, t in zip(values, names, self.outputs)
        ])

    # -- compile with several outputs --------------------------------------------------------
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        loss_weights: Any = None,
        **kwargs: Any,
    ) -> None:
        """As `Sequential.compile`; with several outputs `loss` may be a list or a dict by
        output name, and `loss_weights` weighs each output's loss in their sum (Keras' rule,
        see nn.multi_output)."""
        if self._single_output:
            if loss_weights is not None:
                raise ValueError(
                    "compile: loss_weights weighs the losses of several outputs; this model "
                    "has one"
                )
            if isinstance(loss, (list, tuple)) and len(loss) == 1:
                loss = loss[0]
            super().compile(optimizer, loss, metrics, weighted_metrics, **kwargs)
            return
        combined = None if loss is None else compile_losses(loss, loss_weights, self.output_names)
        super().compile(optimizer, combined, metrics, weighted_metrics, **kwargs)

    def _make_metrics(self, output_shape: Any) -> list[Any]:
        if self._single_output:
            return super()._make_metrics(output_shape)
        self._metrics_shape = output_shape
        return output_metrics(self._metric_ids, self.loss, self.output_names,
                              [t.shape for t in self.outputs])

    # -- config ------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The graph as Keras' functional config: each layer's `class_name`, `config`,
        `name` and `inbound_nodes`, then `input_layers` and `output_layers`.

        `inbound_nodes` holds one entry per call of the layer in this model, in Keras 2's
        form: the list of `[layer_name, node_index, tensor_index, {}]` it was called on (a
        layer called on a list, a merge layer, was called on all of them as a list; others
        on the single one). Node indices count the calls within this model.

        >>> import nn
        >>> x = nn.Input(shape=(2,), name="x")
        >>> config = nn.Model(x, nn.layers.Dense(1, name="out")(x), name="m").get_config()
        >>> config["layers"][1]["inbound_nodes"], config["output_layers"]
        ([[['x', 0, 0, {}]]], [['out', 0, 0]])
        """
        index = self._node_indices()

        def ref(tensor: KerasTensor) -> list[Any]:
            history = tensor._keras_history
            assert history is not None, "every tensor of the graph has a history"
            return [history.layer.name, index[id(tensor._node)], history.tensor_index]

        layers = []
        for layer in self.layers:
            nodes = [n for n in self._nodes if n.layer is layer and not n.is_input]
            layers.append({
                "class_name": type(layer).__name__,
                "config": layer.get_config(),
                "name": layer.name,
                "inbound_nodes": [[ref(t) + [{}] for t in n.inputs] for n in nodes],
            })
        return {
            "name": self.name,
            "layers": layers,
            "input_layers": [ref(t) for t in self.inputs],
            "output_layers": [ref(t) for t in self.outputs],
        }

    def _node_indices(self) -> dict[int, int]:
        """id(node) -> its index among its layer's calls within this model."""
        counts: dict[int, int] = collections.Counter()
        index = {}
        for node in sorted(self._nodes, key=lambda n: n.order):
            index[id(node)] = counts[id(node.layer)]
            counts[id(node.layer)] += 1
        return index

    @classmethod
    def from_config(
        cls,
        config: dict[str, Any],
        make_layer: Callable[[str, dict[str, Any]], Layer] | None = None,
    ) -> Functional:
        """Rebuild a model from `get_config()`: `make_layer(class_name, config)` makes each
        layer (default: the class of that name in `nn.layers`, from its config). The new
        model has fresh weights: copy them with `set_weights(old.get_weights())`.

        >>> import numpy as np, nn
        >>> x = nn.Input(shape=(2,))
        >>> model = nn.Model(x, nn.layers.Dense(1)(x))
        >>> copy = nn.Model.from_config(model.get_config())
        >>> copy.set_weights(model.get_weights())
        >>> x_new = np.ones((3, 2))
        >>> bool((copy.predict(x_new, verbose=0) == model.predict(x_new, verbose=0)).all())
        True
        """
        make = make_layer or _default_layer
        layers: dict[str, Layer] = {}
        pending: list[tuple[Layer, int, list[Any]]] = []
        for spec in config["layers"]:
            layer = make(spec["class_name"], spec["config"])
            layers[spec["name"]] = layer
            pending += [(layer, k, node) for k, node in enumerate(spec["inbound_nodes"])]
        tensors: dict[tuple[str, int, int], KerasTensor] = {}
        done: dict[str, int] = collections.Counter()
        for name, layer in layers.items():
            if isinstance(layer, InputLayer):
                tensors[(name, 0, 0)] = layer.output
                done[name] = 1
        while pending:  # a shared layer's later call may wait for layers listed after it
            progress = False
            for item in list(pending):
                layer, k, node = item
                name = _config_name(layer, layers)
                keys = [(n, i, t) for n, i, t, *_ in node]
                if done[name] != k or any(key not in tensors for key in keys):
                    continue
                args = [tensors[key] for key in keys]
                # Keras 2's rule: one tensor is passed alone, several (or any to a merge) as a list
                out = layer(args if len(args) > 1 or _merges(layer) else args[0])
                outs = out if isinstance(out, (list, tuple)) else [out]
                for t, tensor in enumerate(outs):
                    tensors[(name, k, t)] = tensor
                done[name] += 1
                pending.remove(item)
                progress = True
            if not progress:
                waiting = [f"{_config_name(layer, layers)}[{k}]" for layer, k, _ in pending]
                raise ValueError(
                    f"from_config: the calls {waiting} wait for layer outputs the config never "
                    "produces (a broken or hand-edited config)"
                )

        def pick(refs: list[Any]) -> list[KerasTensor]:
            return [tensors[(n, i, t)] for n, i, t, *_ in refs]

        inputs, outputs = pick(config["input_layers"]), pick(config["output_layers"])
        return cls(inputs if len(inputs) > 1 else inputs[0],
                   outputs if len(outputs) > 1 else outputs[0], name=config.get("name"))

    # -- display -----------------------------------------------------------------------------
    def _summary_lines(
        self, line_length: int | None = None, positions: Sequence[float] | None = None
    ) -> list[str]:
        if _sequential_like(self):
            return super()._summary_lines(line_length, positions)
        return functional_summary_lines(self, line_length, positions)

    def _summary_table(self) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The notebook's table: with Keras 3's "Connected to" column unless a chain."""
        header, rows = super()._summary_table()
        if _sequential_like(self):
            return header, rows
        links = _connections(self)
        return header + ["Connected to"], [row + (", ".join(links[id(layer)]),)
                                           for row, layer in zip(rows, self.layers)]

    @property
    def input(self) -> Any:
        """The input tensor (a list of them with several inputs), as Keras' `model.input`."""
        return self.inputs[0] if self._single_input else list(self.inputs)

    @property
    def output(self) -> Any:
        """The output tensor (a list of them with several outputs), as Keras' `model.output`."""
        return self.outputs[0] if self._single_output else list(self.outputs)

    def _graph_edges(self) -> list[tuple[Layer, Layer]]:
        """(from layer, to layer) for every tensor that flows between two layers: for
        plot_model."""
        return [(t._keras_history.layer, node.layer)  # type: ignore[union-attr]
                for node in self._nodes for t in node.inputs]


# ---------------------------------------------------------------------------------------
# The graph


def map_graph(
    inputs: list[KerasTensor], outputs: list[KerasTensor]
) -> tuple[list[Node], list[Layer]]:
    """The nodes between `inputs` and `outputs` in an order that runs (inputs first) and the
    layers in Keras' order (by depth from the outputs, deepest first; ties in traversal order).

    Raises ValueError for a tensor not produced from `inputs` ("graph disconnected"), an
    input that no output uses, an input that is not an `nn.Input`, or a repeated input.
    """
    for t in inputs:
        history = t._keras_history
        if history is None or not isinstance(history.layer, InputLayer):
            made_by = history.layer.name if history is not None else "nothing"
            raise ValueError(
                f"Model(inputs, outputs): the input {t.name!r} is the output of layer "
                f'"{made_by}", not an nn.Input: models whose inputs are intermediate tensors '
                "are not supported; pass the nn.Input tensors the graph starts from"
            )
    if len({id(t) for t in inputs}) != len(inputs):
        raise ValueError(f"Model(inputs, outputs): an input is listed twice in {inputs}")
    input_ids = {id(t) for t in inputs}
    order: list[Node] = []  # parents before children: depth-first, iterative
    traversal: dict[int, int] = {}
    finished: set[int] = set()
    for output in outputs:
        stack: list[tuple[KerasTensor, bool]] = [(output, False)]
        in_progress: set[int] = set()
        while stack:
            tensor, expanded = stack.pop()
            history = tensor._keras_history
            assert history is not None, "checked by _tensor_list"
            node = tensor._node
            assert node is not None, "a tensor with a history has its node"
            if expanded:
                in_progress.discard(id(node))
                if id(node) not in finished:
                    finished.add(id(node))
                    order.append(node)
                continue
            if id(node) in finished:
                continue
            traversal.setdefault(id(history.layer), len(traversal))
            if node.is_input and id(tensor) not in input_ids:
                raise ValueError(
                    f"Graph disconnected: the output {output.name!r} depends on the input "
                    f"{tensor.name!r}, which is not among the model's inputs "
                    f"{[t.name for t in inputs]}"
                )
            in_progress.add(id(node))
            stack.append((tensor, True))
            if id(tensor) not in input_ids:
                for parent in reversed(node.inputs):
                    stack.append((parent, False))
    used = {id(n) for n in order}
    unused = [t.name for t in inputs if id(t._node) not in used]
    if unused:
        # Keras 3 keeps unused inputs (for losses added by add_loss, which nn does not have)
        raise ValueError(
            f"Model(inputs, outputs): the input(s) {unused} are not used by any output "
            f"{[t.name for t in outputs]}: remove them from inputs or connect them"
        )
    return order, _layers_by_depth(order, traversal)


def _layers_by_depth(order: list[Node], traversal: dict[int, int]) -> list[Layer]:
    """Keras' layer order: a node's depth is 1 + the largest depth of the nodes it feeds
    (outputs 0); a layer takes its deepest node's; deepest first, ties by traversal."""
    depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    layers: dict[int, Layer] = {}
    for node in reversed(order):
        d = max(depth.get(id(node), 0), layer_depth.get(id(node.layer), 0))
        depth[id(node)] = d
        layer_depth[id(node.layer)] = d
        layers[id(node.layer)] = node.layer
        for parent in node.parent_nodes:
            depth[id(parent)] = max(depth.get(id(parent), 0), d + 1)
    return sorted(layers.values(),
                  key=lambda layer: (-layer_depth[id(layer)], traversal[id(layer)]))


def _tensor_list(value: Any, what: str) -> list[KerasTensor]:
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if isinstance(value, dict):
        raise TypeError(
            f"Model(inputs, outputs): {what} as a dict is not supported; pass a list (inputs "
            "are named by their nn.Input(name=...))"
        )
    for item in items:
        if not isinstance(item, KerasTensor) or item._keras_history is None:
            raise TypeError(
                f"Model(inputs, outputs) expects {what} to be symbolic tensors (nn.Input(...) "
                f"or a layer called on one), received {item!r} of type {type(item).__name__}"
            )
    if not items:
        raise ValueError(f"Model(inputs, outputs): {what} is empty")
    return items


def _default_layer(class_name: str, config: dict[str, Any]) -> Layer:
    import nn.layers

    cls = getattr(nn.layers, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(
            f"from_config: unknown layer class {class_name!r}; pass make_layer= to build "
            "custom layers"
        )
    return cls.from_config(config)


def _config_name(layer: Layer, layers: dict[str, Layer]) -> str:
    return next(name for name, known in layers.items() if known is layer)


def _merges(layer: Layer) -> bool:
    from nn.layers.merging import Concatenate, Merge

    return isinstance(layer, (Merge, Concatenate))


def _sequential_like(model: Functional) -> bool:
    """Keras' test for the 3-column summary: a chain, no layer called twice, no merge."""
    calls = collections.Counter(id(n.layer) for n in model._nodes)
    return all(len(n.inputs) <= 1 for n in model._nodes) and max(calls.values()) == 1 and len(
        model.inputs) == 1 and len(model.outputs) == 1


def _connections(model: Functional) -> dict[int, list[str]]:
    """id(layer) -> each input of each of its calls as `layer[node_index][tensor_index]`."""
    index = model._node_indices()
    links: dict[int, list[str]] = {id(layer): [] for layer in model.layers}
    for node in model._nodes:
        for t in node.inputs:
            h = t._keras_history
            assert h is not None, "every tensor of the graph has a history"
            links[id(node.layer)].append(f"{h.layer.name}[{index[id(t._node)]}][{h.tensor_index}]")
    return links


def functional_summary_lines(
    model: Functional, line_length: int | None = None, positions: Sequence[float] | None = None
) -> list[str]:
    """`summary()` of a graph: Keras' four columns, 'Connected to' listing each call's
    inputs as `layer[node_index][tensor_index]` (keras/src/utils/summary_utils.py), one per
    line under its layer, '-' for an Input.

    >>> import nn
    >>> a, b = nn.Input(shape=(2,), name="a"), nn.Input(shape=(3,), name="b")
    >>> model = nn.Model([a, b], nn.layers.concatenate([a, b], name="joined"), name="join")
    >>> model.summary()
    Model: "join"
    __________________________________________________________________________
    Layer (type)            Output Shape        Param #   Connected to
    ==========================================================================
    a (InputLayer)          (None, 2)           0         -
    __________________________________________________________________________
    b (InputLayer)          (None, 3)           0         -
    __________________________________________________________________________
    joined (Concatenate)    (None, 5)           0         a[0][0]
                                                          b[0][0]
    ==========================================================================
    Total params: 0
    Trainable params: 0
    Non-trainable params: 0
    __________________________________________________________________________
    """
    connections = _connections(model)
    rows: list[list[Any]] = []
    for layer in model.layers:
        nodes = [n for n in model._nodes if n.layer is layer]
        links = connections[id(layer)]
        shape = nodes[-1].outputs[0].shape if len(nodes[-1].outputs) == 1 else tuple(
            t.shape for t in nodes[-1].outputs)
        rows.append([f"{layer.name} ({type(layer).__name__})", shape, f"{layer.count_params():,}",
                     links or ["-"]])
    stops: list[float] = list(positions or [0.33, 0.55, 0.67, 1.0])
    if line_length is None and positions is None:
        widths = [max([24] + [len(r[0]) + 1 for r in rows]),
                  max([20] + [len(str(r[1])) + 1 for r in rows]), 10,
                  max([20] + [len(link) + 1 for r in rows for link in r[3]])]
        stops = [sum(widths[: i + 1]) for i in range(4)]
    line_length = line_length or (int(stops[-1]) if stops[-1] > 1 else 98)
    if stops[-1] <= 1:
        stops = [int(line_length * p) for p in stops]

    def row(fields: Sequence[Any]) -> str:
        line = ""
        for i, field in enumerate(fields):
            if i > 0:
                line = line[:-1] + " "
            line = (line + str(field))[: int(stops[i])]
            line += " " * (int(stops[i]) - len(line))
        return line.rstrip()

    lines = [f'Model: "{model.name}"', "_" * line_length,
             row(["Layer (type)", "Output Shape", "Param #", "Connected to"]), "=" * line_length]
    for i, (label, shape, params, links) in enumerate(rows):
        lines.append(row([label, shape, params, links[0]]))
        lines += [row(["", "", "", link]) for link in links[1:]]
        lines.append("=" * line_length if i == len(rows) - 1 else "_" * line_length)
    trainable = sum(w.size for w in model.trainable_weights)
    frozen = sum(w.size for w in model.non_trainable_weights)
    return lines + [f"Total params: {trainable + frozen:,}", f"Trainable params: {trainable:,}",
                    f"Non-trainable params: {frozen:,}", "_" * line_length]


__all__ = ["Functional", "functional_summary_lines", "map_graph"]
