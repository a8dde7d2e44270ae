"""`Input(shape)` / `InputLayer`: declare a model's input shape as its first element."""

from __future__ import annotations

from typing import Any, Sequence

from autograd import Tensor
from nn.layers.base import Layer, Shape, declared_input_shape


class InputLayer(Layer):
    """Marks the shape of one sample. A `Sequential` takes its input shape from it and does not
    list it among `model.layers` (as Keras does).

    >>> from nn.layers import InputLayer
    >>> InputLayer(shape=(20,)).output_shape
    (None, 20)
    """

    def __init__(
        self,
        shape: Sequence[int] | None = None,
        batch_size: int | None = None,
        input_shape: Sequence[int] | None = None,
        **kwargs: Any,
    ) -> None:
        if shape is not None and input_shape is not None:
            raise ValueError("InputLayer accepts shape or input_shape, not both")
        if shape is None and input_shape is None and "batch_input_shape" not in kwargs:
            raise ValueError("InputLayer needs shape=(...), the shape of one sample")
        super().__init__(input_shape=shape if shape is not None else input_shape, **kwargs)
        self.batch_size = batch_size

    def call(self, inputs: Tensor) -> Tensor:
        """Pass inputs through unchanged (the layer only declares a shape).

        >>> from nn.layers import InputLayer
        >>> InputLayer(shape=(2,))([[1.0, 2.0]])
        Tensor([[1., 2.]], dtype=float32)
        """
        return inputs

    def _check_input_shape(self, shape: tuple[int, ...]) -> None:
        expected: Shape = self.input_shape
        if len(shape) != len(expected) or shape[1:] != expected[1:]:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"shape={expected}, found shape={shape}"
            )


def Input(
    shape: Sequence[int] | None = None,
    batch_size: int | None = None,
    name: str | None = None,
    dtype: Any = None,
    **kwargs: Any,
) -> InputLayer:
    """Keras' `Input(shape=...)`: use it as the first element of a `Sequential`.

    >>> import nn
    >>> model = nn.Sequential([nn.Input(shape=(3,)), nn.layers.Dense(2)])
    >>> model.output_shape
    (None, 2)
    """
    return InputLayer(shape=shape, batch_size=batch_size, name=name, dtype=dtype, **kwargs)


__all__ = ["Input", "InputLayer", "declared_input_shape"]
