"""`Input(shape)` / `InputLayer`: a model's input, as a symbolic tensor (functional API) or as
the first element of a `Sequential`."""

from __future__ import annotations

import weakref
from typing import Any, Sequence

from autograd import Tensor
from nn.layers.base import Layer, Shape, declared_input_shape
from nn.layers.symbolic import KerasHistory, KerasTensor, Node


class InputLayer(Layer):
    """Marks the shape of one sample. A `Sequential` takes its input shape from it and does not
    list it among `model.layers` (as Keras does); a functional model lists it.

    `layer.output` is its symbolic tensor, the one `nn.Input` returns.

    >>> from nn.layers import InputLayer
    >>> layer = InputLayer(shape=(20,))
    >>> layer.output_shape, layer.output
    ((None, 20), <KerasTensor shape=(None, 20), dtype=float32, name=input_layer>)
    """

    _accepts_list = False

    def __init__(
        self,
        shape: Sequence[int] | None = None,
        batch_size: int | None = None,
        input_shape: Sequence[int] | None = None,
        batch_shape: Sequence[int | None] | None = None,
        **kwargs: Any,
    ) -> None:
        given = [k for k, v in [("shape", shape), ("input_shape", input_shape),
                                ("batch_shape", batch_shape)] if v is not None]
        if len(given) > 1:
            raise ValueError(f"InputLayer accepts one of shape, input_shape, batch_shape, "
                             f"received {', '.join(given)}")
        if not given and "batch_input_shape" not in kwargs:
            raise ValueError("InputLayer needs shape=(...), the shape of one sample")
        if batch_shape is not None:
            kwargs["batch_input_shape"] = batch_shape
        super().__init__(input_shape=shape if shape is not None else input_shape, **kwargs)
        self.batch_size = batch_size
        # the Input's own node: no inbound tensors, one output (keras' InputLayer)
        self._output: Any = None  # a weak reference: the tensor holds this layer

    @property
    def output(self) -> KerasTensor:
        """The Input's symbolic tensor (made again, as node 0, if the last one was freed)."""
        tensor = None if self._output is None else self._output()
        if tensor is None:
            assert self._declared_input_shape is not None, "checked in __init__"
            tensor = KerasTensor(self._declared_input_shape, self.dtype, self.name)
            tensor._keras_history = KerasHistory(self, 0, 0)
            # the Input's own node: no inbound tensors, one output (keras' InputLayer)
            self._inbound_nodes[:1] = [weakref.ref(Node(self, [], [tensor], False))]
            self._output = weakref.ref(tensor)
        return tensor

    def _set_name(self, name: str) -> None:
        super()._set_name(name)
        tensor = None if getattr(self, "_output", None) is None else self._output()
        if tensor is not None:
            tensor.name = name

    def call(self, inputs: Tensor) -> Tensor:
        """Pass inputs through unchanged (the layer only declares a shape).

        >>> from nn.layers import InputLayer
        >>> InputLayer(shape=(2,))([[1.0, 2.0]])
        Tensor([[1., 2.]], dtype=float32)
        """
        return inputs

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The declared shape, unchanged."""
        return tuple(input_shape)

    def _check_input_shape(self, shape: tuple[int, ...]) -> None:
        expected: Shape = self.input_shape
        if len(shape) != len(expected) or any(
            e is not None and e != got for e, got in zip(expected[1:], shape[1:])
        ):
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"shape={expected}, found shape={shape}"
            )

    def get_config(self) -> dict[str, Any]:
        """Keras 3's InputLayer config: the batch shape, dtype and name.

        >>> from nn.layers import InputLayer
        >>> InputLayer(shape=(3,), name="x").get_config()
        {'batch_shape': (None, 3), 'dtype': 'float32', 'name': 'x'}
        """
        return {"batch_shape": self.input_shape, "dtype": self.dtype.name, "name": self.name}


def Input(
    shape: Sequence[int] | None = None,
    batch_size: int | None = None,
    name: str | None = None,
    dtype: Any = None,
    **kwargs: Any,
) -> KerasTensor:
    """Keras' `Input(shape=...)`: a symbolic tensor to call layers on (the functional API,
    `nn.Model(inputs, outputs)`), or the first element of a `Sequential`.

    >>> import nn
    >>> model = nn.Sequential([nn.Input(shape=(3,)), nn.layers.Dense(2)])
    >>> model.output_shape
    (None, 2)
    >>> inputs = nn.Input(shape=(3,))
    >>> outputs = nn.layers.Dense(2)(inputs)
    >>> nn.Model(inputs, outputs).output_shape
    (None, 2)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, name=name, dtype=dtype, **kwargs)
    return layer.output


__all__ = ["Input", "InputLayer", "declared_input_shape"]
