"""Merge layers (keras/src/layers/merging): combine a list of tensors into one.

`Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum` work elementwise on inputs of
one shape (an axis of 1 or None broadcasts, as Keras' `_compute_elemwise_op_output_shape`);
`Concatenate(axis=-1)` joins inputs that match on every other axis. Each has Keras' lowercase
function form: `nn.layers.add([a, b])` is `nn.layers.Add()([a, b])`.

>>> import numpy as np, nn
>>> a, b = nn.Input(shape=(3,)), nn.Input(shape=(2,))
>>> nn.layers.concatenate([a, b]).shape
(None, 5)
>>> nn.layers.Add()([np.ones((1, 2)), np.ones((1, 2))])
Tensor([[2., 2.]], dtype=float32)
"""

from __future__ import annotations

import functools
from typing import Any, Sequence

from autograd import Tensor
from autograd import concatenate as _concat
from autograd import maximum as _max
from autograd import minimum as _min
from nn.layers.base import Layer, Shape


class Merge(Layer):
    """The base of the elementwise merge layers: checks the list of input shapes and folds
    `_merge_two` over the inputs."""

    _accepts_list = True
    _min_inputs = 1
    _max_inputs: int | None = None

    def build(self, input_shape: Any) -> None:
        """Check that the inputs are a list of broadcast-compatible shapes (no weights)."""
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        """The shape of the elementwise result.

        >>> Add().compute_output_shape([(None, 3), (None, 1)])
        (None, 3)
        """
        shapes = _shape_list(self, input_shape, self._min_inputs, self._max_inputs)
        out = shapes[0]
        for shape in shapes[1:]:
            out = _elementwise_shape(self.name, out, shape, shapes)
        return out

    def call(self, inputs: Sequence[Tensor]) -> Tensor:  # type: ignore[override]
        """Fold the inputs together, left to right."""
        return functools.reduce(self._merge_two, inputs)

    def _merge_two(self, a: Tensor, b: Tensor) -> Tensor:
        raise NotImplementedError


class Add(Merge):
    """Elementwise sum of the inputs.

    >>> import numpy as np
    >>> Add()([np.array([[1.0, 2.0]]), np.array([[10.0, 20.0]])])
    Tensor([[11., 22.]], dtype=float32)
    """

    def _merge_two(self, a: Tensor, b: Tensor) -> Tensor:
        return a + b


class Subtract(Merge):
    """The first input minus the second (exactly two inputs).

    >>> import numpy as np
    >>> Subtract()([np.array([[5.0]]), np.array([[2.0]])])
    Tensor([[3.]], dtype=float32)
    """

    _min_inputs = 2
    _max_inputs = 2

    def _merge_two(self, a: Tensor, b: Tensor) -> Tensor:
        return a - b


class Multiply(Merge):
    """Elementwise product of the inputs.

    >>> import numpy as np
    >>> Multiply()([np.array([[2.0, 3.0]]), np.array([[4.0, 5.0]])])
    Tensor([[ 8., 15.]], dtype=float32)
    """

    def _merge_two(self, a: Tensor, b: Tensor) -> Tensor:
        return a * b


class Average(Merge):
    """Elementwise mean of the inputs.

    >>> import numpy as np
    >>> Average()([np.array([[1.0]]), np.array([[2.0]]), np.array([[6.0]])])
    Tensor([[3.]], dtype=float32)
    """

    def call(self, inputs: Sequence[Tensor]) -> Tensor:  # type: ignore[override]
        """The sum divided by the number of inputs."""
        return functools.reduce(lambda a, b: a + b, inputs) * (1.0 / len(inputs))


class Maximum(Merge):
    """Elementwise maximum of the inputs (a tie sends the gradient to the first).

    >>> import numpy as np
    >>> Maximum()([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])])
    Tensor([[3., 5.]], dtype=float32)
    """

    def _merge_two(self, a: Tensor, b: Tensor) -> Tensor:
        return _max(a, b)


class Minimum(Merge):
    """Elementwise minimum of the inputs (a tie sends the gradient to the first).

    >>> import numpy as np
    >>> Minimum()([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])])
    Tensor([[1., 2.]], dtype=float32)
    """

    def _merge_two(self, a: Tensor, b: Tensor) -> Tensor:
        return _min(a, b)


class Concatenate(Layer):
    """Join the inputs along `axis` (default -1, the features); the other axes must match.

    >>> import numpy as np
    >>> Concatenate()([np.ones((1, 2)), np.zeros((1, 1))])
    Tensor([[1., 1., 0.]], dtype=float32)
    """

    _accepts_list = True

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(f"Concatenate expects axis to be an int, received axis={axis!r}")
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape: Any) -> None:
        """Check that the inputs match on every axis but `axis` (no weights)."""
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        """The joined shape: the inputs' sizes on `axis` add up (None if any is None).

        >>> Concatenate().compute_output_shape([(None, 3), (None, 4)])
        (None, 7)
        """
        shapes = _shape_list(self, input_shape, 1, None)
        rank = len(shapes[0])
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ValueError(
                f'layer "{self.name}" (Concatenate): axis={self.axis} must name a non-batch axis '
                f"of inputs of rank {rank}, received shapes {shapes}"
            )
        axis = self.axis % rank
        out = list(shapes[0])
        for shape in shapes[1:]:
            for i, (a, b) in enumerate(zip(out, shape)):
                if i == axis:
                    out[i] = None if a is None or b is None else a + b
                elif i > 0 and a is not None and b is not None and a != b:
                    raise ValueError(
                        f'layer "{self.name}" (Concatenate) requires inputs with matching shapes '
                        f"except for the concatenation axis {self.axis}, received input shapes "
                        f"{shapes}"
                    )
                elif a is None:
                    out[i] = b if i > 0 else None
        return tuple(out)

    def call(self, inputs: Sequence[Tensor]) -> Tensor:  # type: ignore[override]
        """`autograd.concatenate` along `axis`: each input gets its slice of the gradient."""
        return _concat(list(inputs), axis=self.axis)

    def get_config(self) -> dict[str, Any]:
        """The base config plus `axis`.

        >>> Concatenate(axis=1).get_config()["axis"]
        1
        """
        return {**super().get_config(), "axis": self.axis}


def _shape_list(layer: Layer, input_shape: Any, least: int, most: int | None) -> list[Shape]:
    """The input shapes of a merge layer, checked: a list of `least`..`most` shapes of one rank."""
    owner = f'layer "{layer.name}" ({type(layer).__name__})'
    if not isinstance(input_shape, (list, tuple)) or not all(
        isinstance(s, (list, tuple)) for s in input_shape
    ):
        raise ValueError(
            f"{owner} should be called on a list of inputs, received input_shape={input_shape}"
        )
    shapes = [tuple(s) for s in input_shape]
    if len(shapes) < least or (most is not None and len(shapes) > most):
        wanted = f"exactly {least}" if least == most else f"at least {least}"
        raise ValueError(
            f"{owner} should be called on a list of {wanted} inputs, received {len(shapes)}: "
            f"{shapes}"
        )
    ranks = {len(s) for s in shapes}
    if len(ranks) > 1:
        raise ValueError(f"{owner} needs inputs of one rank, received shapes {shapes}")
    return shapes


def _elementwise_shape(name: str, a: Shape, b: Shape, shapes: list[Shape]) -> Shape:
    """Keras' elementwise shape rule: equal sizes, or 1 / None broadcasting."""
    out: list[int | None] = []
    for i, j in zip(a, b):
        if i is None or j is None:
            out.append(None)
        elif i == 1 or j == 1 or i == j:
            out.append(j if i == 1 else i)
        else:
            raise ValueError(
                f'layer "{name}": inputs have incompatible shapes, received shapes {shapes}'
            )
    return tuple(out)


def add(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Add(**kwargs)(inputs)`, as keras.layers.add.

    >>> import numpy as np
    >>> add([np.ones((1, 2)), np.ones((1, 2))])
    Tensor([[2., 2.]], dtype=float32)
    """
    return Add(**kwargs)(inputs)


def subtract(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Subtract(**kwargs)(inputs)`, as keras.layers.subtract."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Multiply(**kwargs)(inputs)`, as keras.layers.multiply."""
    return Multiply(**kwargs)(inputs)


def average(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Average(**kwargs)(inputs)`, as keras.layers.average."""
    return Average(**kwargs)(inputs)


def maximum(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Maximum(**kwargs)(inputs)`, as keras.layers.maximum."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Minimum(**kwargs)(inputs)`, as keras.layers.minimum."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: Sequence[Any], axis: int = -1, **kwargs: Any) -> Any:
    """`Concatenate(axis, **kwargs)(inputs)`, as keras.layers.concatenate.

    >>> import numpy as np
    >>> concatenate([np.ones((1, 1)), np.zeros((1, 2))]).shape
    (1, 3)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


__all__ = [
    "Add", "Average", "Concatenate", "Maximum", "Merge", "Minimum", "Multiply", "Subtract",
    "add", "average", "concatenate", "maximum", "minimum", "multiply", "subtract",
]
