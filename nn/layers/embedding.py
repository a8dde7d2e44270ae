"""Embedding: integer ids to rows of a learned `embeddings` matrix (Keras 3's layer)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.tracing import replayed
from nn import initializers, regularizers
from nn.layers.base import Layer, Shape, _check_bool, positive_int


class Embedding(Layer):
    """Turn integer ids of any shape (batch, ...) into vectors: (batch, ..., output_dim).

    The weight `embeddings` has shape (input_dim, output_dim); the output is its rows picked
    by the ids, so the gradient scatters back to the picked rows (summed where an id repeats).
    Float inputs holding whole numbers are accepted (a model casts its inputs to float32);
    anything else that is not an id in [0, input_dim) raises ValueError.

    >>> import numpy as np
    >>> from nn.layers import Embedding
    >>> layer = Embedding(10, 3)
    >>> layer(np.array([[1, 2, 2], [0, 9, 4]])).shape
    (2, 3, 3)
    >>> layer.embeddings.shape
    (10, 3)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        mask_zero: bool = False,
        weights: Any = None,
        **kwargs: Any,
    ) -> None:
        if kwargs.pop("input_length", None) is not None:  # Keras 3 ignores it, with this warning
            warnings.warn("Argument `input_length` is deprecated. Just remove it.", stacklevel=2)
        super().__init__(**kwargs)
        self.input_dim = positive_int(input_dim, "input_dim", "Embedding")
        self.output_dim = positive_int(output_dim, "output_dim", "Embedding")
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)  # fit adds it
        if _check_bool(mask_zero, "mask_zero", "Embedding"):
            raise ValueError(
                "Embedding does not support masking: received mask_zero=True, expected False "
                "(no layer here consumes a mask)"
            )
        self.mask_zero = False
        self.embeddings: Tensor | None = None
        if weights is not None:  # Keras: the initial matrix, alone or as a one-element list
            self._build(self._declared_input_shape or (None,))
            self.set_weights(weights if isinstance(weights, list) else [weights])

    def build(self, input_shape: Shape) -> None:
        """Create `embeddings` (input_dim, output_dim); the ids' shape does not matter.

        >>> from nn.layers import Embedding
        >>> layer = Embedding(5, 2)
        >>> layer.build((None, 7))
        >>> layer.embeddings.shape
        (5, 2)
        """
        self.embeddings = self.add_weight(
            "embeddings", (self.input_dim, self.output_dim), self.embeddings_initializer
        )

    def __call__(self, inputs: Any, training: bool | None = None) -> Tensor:
        # the base would cast raw ids to float32, inexact above 2**24: check them first,
        # then carry them as float64, exact for every id an array of rows can have
        if not isinstance(inputs, Tensor):
            inputs = Tensor(self._ids(inputs).astype(np.float64))
        return super().__call__(inputs, training)

    def call(self, inputs: Tensor) -> Tensor:
        """The rows of `embeddings` picked by the ids in `inputs` (checked, then cast to int).

        >>> from nn.layers import Embedding
        >>> layer = Embedding(3, 2, embeddings_initializer="ones")
        >>> layer([[0.0, 2.0]])
        Tensor([[[1., 1.],
                 [1., 1.]]], dtype=float32, requires_grad=True)
        """
        # replayed: a jit plan checks and casts each call's ids again (not the trace's)
        return self.embeddings[replayed(self._ids)(inputs)]  # type: ignore[index]

    def _ids(self, data: Any) -> np.ndarray:
        """`data` as an integer array, or a ValueError/TypeError quoting the first bad id."""
        try:
            array = np.asarray(data.data if isinstance(data, Tensor) else data)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f'layer "{self.name}" (Embedding) expects integer ids, received {data!r}: {error}'
            ) from None
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f'layer "{self.name}" (Embedding) expects integer ids, received an array of '
                f"dtype {array.dtype}"
            )
        if array.size == 0:
            return array.astype(np.intp)
        if array.dtype.kind == "f":
            whole = np.isfinite(array)
            whole[whole] = array[whole] == np.floor(array[whole])
            self._reject(array, ~whole, "integer ids (whole numbers)")
            # a float holds every integer exactly only below 2**(mantissa bits + 1)
            exact = 2.0 ** (np.finfo(array.dtype).nmant + 1)
            self._reject(
                array,
                np.abs(array) >= exact,
                f"ids below {exact:.0f} in {array.dtype} inputs (larger integers are not exact "
                "in it: pass integer ids, or give a model's Embedding dtype='float64')",
            )
        outside = (array < 0) | (array >= self.input_dim)
        self._reject(array, outside, f"ids in [0, {self.input_dim})")
        return array.astype(np.intp)

    def _reject(self, array: np.ndarray, bad: np.ndarray, expected: str) -> None:
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f'layer "{self.name}" (Embedding, input_dim={self.input_dim}) expects '
                f"{expected}, received {array[where].item()!r} at index {where} "
                f"({int(bad.sum())} bad value(s) in an input of shape {array.shape})"
            )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The ids' shape with `output_dim` appended.

        >>> from nn.layers import Embedding
        >>> Embedding(100, 8).compute_output_shape((None, 20))
        (None, 20, 8)
        """
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self) -> dict[str, Any]:
        """The base config plus `input_dim`, `output_dim`, the initializer and `mask_zero`.

        >>> from nn.layers import Embedding
        >>> config = Embedding(100, 8).get_config()
        >>> config["input_dim"], config["output_dim"], config["embeddings_initializer"]
        (100, 8, 'random_uniform')
        """
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "mask_zero": self.mask_zero,
        }
