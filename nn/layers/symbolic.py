"""Symbolic tensors for the functional API: `KerasTensor` and the `Node` of each layer call.

`keras.Input(shape)` returns a `KerasTensor`: a shape (batch axis None) and a dtype, no values.
Calling a layer on KerasTensors builds the layer from their shapes and returns new KerasTensors;
each call is recorded as a `Node` (which tensors went in, which came out), so that
`Model(inputs, outputs)` can find the graph between them (as keras/src/ops/node.py).

References point one way, from a tensor to the node that made it and on to that node's
inputs: a node holds its outputs and a layer its nodes weakly, so that no cycle keeps a
deleted model (or its layers) alive past reference counting (issue 16, item 14). A model
keeps the tensors of its graph.

>>> import nn
>>> x = nn.Input(shape=(4,), name="features")
>>> y = nn.layers.Dense(2)(x)
>>> x, y.shape
(<KerasTensor shape=(None, 4), dtype=float32, name=features>, (None, 2))
"""

from __future__ import annotations

import itertools
import weakref
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

import numpy as np

if TYPE_CHECKING:
    from nn.layers.base import Layer

Shape = tuple[int | None, ...]

_NODE_IDS = itertools.count()  # creation order: a topological order of every graph


class KerasHistory(NamedTuple):
    """Where a symbolic tensor comes from: the `tensor_index`-th output of the layer's
    `node_index`-th call (Keras' `_keras_history`)."""

    layer: Any
    node_index: int
    tensor_index: int


class KerasTensor:
    """A symbolic batch: its shape (batch axis None), dtype, and the layer call that made it.

    It has no values: it only flows through layer calls to describe a model's graph.
    Arithmetic on it is not supported (use the merge layers: `layers.Add()([a, b])`).

    >>> import nn
    >>> t = nn.Input(shape=(3, 2))
    >>> t.shape, t.ndim, t.dtype
    ((None, 3, 2), 3, dtype('float32'))
    """

    __slots__ = ("__weakref__", "_keras_history", "_node", "dtype", "name", "shape")

    def __init__(self, shape: Sequence[int | None], dtype: Any, name: str) -> None:
        self.shape: Shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.name = name
        self._keras_history: KerasHistory | None = None
        self._node: Node | None = None  # the layer call that made it

    @property
    def ndim(self) -> int:
        """The number of axes, batch axis included."""
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype.name}, name={self.name}>"

    def _unsupported(self, *_: Any) -> Any:
        raise TypeError(
            f"arithmetic on the symbolic tensor {self.name!r} is not supported: the functional "
            "API here takes layers only; use layers.Add(), Subtract(), Multiply(), ... or a "
            "custom Layer whose call() does the math"
        )

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _unsupported
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __pow__ = __neg__ = _unsupported
    __getitem__ = _unsupported

    def __array__(self, *_: Any, **__: Any) -> np.ndarray:
        raise TypeError(
            f"the symbolic tensor {self.name!r} has no values: it describes a model's input; "
            "build a model with nn.Model(inputs, outputs) and pass arrays to it"
        )


class Node:
    """One call of a layer on symbolic tensors: `inputs` in, `outputs` out (keras' Node).

    `as_list` records whether the layer received a list (a merge layer) or one tensor. The
    node holds its outputs weakly (each output holds its node).
    """

    __slots__ = ("__weakref__", "_outputs", "as_list", "inputs", "layer", "order")

    def __init__(
        self, layer: Layer, inputs: list[KerasTensor], outputs: list[KerasTensor], as_list: bool
    ) -> None:
        self.layer = layer
        self.inputs = inputs
        self._outputs = [weakref.ref(t) for t in outputs]
        self.as_list = as_list
        self.order = next(_NODE_IDS)
        for t in outputs:
            t._node = self

    @property
    def outputs(self) -> list[KerasTensor]:
        """The tensors this call made (a model keeps those of its graph alive)."""
        alive = [ref() for ref in self._outputs]
        assert all(t is not None for t in alive), "a node's outputs outlive it in a model"
        return alive  # type: ignore[return-value]

    @property
    def is_input(self) -> bool:
        """True for an Input's own node (it has no inbound tensors)."""
        return not self.inputs

    @property
    def parent_nodes(self) -> list[Node]:
        """The nodes that produced this node's inputs."""
        return [t._node for t in self.inputs if t._node is not None]


def is_symbolic(inputs: Any) -> bool:
    """True when `inputs` is a KerasTensor or a list/tuple holding one."""
    if isinstance(inputs, KerasTensor):
        return True
    return isinstance(inputs, (list, tuple)) and any(isinstance(t, KerasTensor) for t in inputs)


def symbolic_call(layer: Layer, inputs: Any) -> Any:
    """Call `layer` on KerasTensor(s): build it from their shapes, record the Node, and
    return the output KerasTensor (a list when the layer has several outputs)."""
    as_list = isinstance(inputs, (list, tuple))
    tensors = list(inputs) if as_list else [inputs]
    mixed = [t for t in tensors if not isinstance(t, KerasTensor)]
    if mixed:
        raise ValueError(
            f'layer "{layer.name}" received a mix of symbolic tensors (from nn.Input) and real '
            f"values ({_kind(mixed[0])}): in the functional API every input of a layer call "
            "must come from nn.Input or from another layer"
        )
    if as_list and not layer._accepts_list:
        raise ValueError(
            f'layer "{layer.name}" ({type(layer).__name__}) takes one tensor, received a list '
            f"of {len(tensors)}: merge them first (layers.Concatenate(), layers.Add(), ...)"
        )
    shapes: Any = [t.shape for t in tensors] if as_list else tensors[0].shape
    if not layer.built:
        layer._build(shapes)
    elif not as_list:
        layer._check_input_shape(tuple(1 if n is None else n for n in tensors[0].shape))
    out_shape = layer._infer_output_shape(shapes)
    several = len(out_shape) > 0 and isinstance(out_shape[0], (tuple, list))
    out_shapes = [tuple(s) for s in out_shape] if several else [tuple(out_shape)]
    index = len(layer._inbound_nodes)
    outputs = []
    for i, shape in enumerate(out_shapes):
        name = layer.name if len(out_shapes) == 1 else f"{layer.name}_{i}"
        tensor = KerasTensor(shape, layer.dtype, name)
        tensor._keras_history = KerasHistory(layer, index, i)
        outputs.append(tensor)
    layer._inbound_nodes.append(weakref.ref(Node(layer, tensors, outputs, as_list)))
    return outputs if several else outputs[0]


def _kind(value: Any) -> str:
    shape = getattr(value, "shape", None)
    kind = type(value).__name__
    return f"a {kind} of shape {shape}" if shape is not None else f"{value!r} ({kind})"


__all__ = ["KerasHistory", "KerasTensor", "Node", "is_symbolic", "symbolic_call"]
