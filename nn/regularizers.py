"""Weight regularizers, as `keras.regularizers`: a penalty on a weight added to the loss.

A layer given `kernel_regularizer=L2(0.01)` (or `bias_regularizer`, `recurrent_regularizer`,
`embeddings_regularizer`) keeps it as an attribute; `fit`, `evaluate` and `train_on_batch`
add `regularization_loss(model)`, the sum of every penalty on a trainable weight, to the
loss they minimize and report, as Keras 3 adds `model.losses`. The penalty is computed with
autograd ops on the weight Tensor, so its gradient comes from the engine.

The penalties are Keras 3's (keras/src/regularizers/regularizers.py): `l1 * sum(|w|)` and
`l2 * sum(w**2)` (no factor 1/2).

>>> import numpy as np, nn
>>> layer = nn.layers.Dense(2, input_dim=2, kernel_initializer="ones",
...                         kernel_regularizer=nn.regularizers.L2(0.1))
>>> model = nn.Sequential([layer])
>>> round(regularization_loss(model).item(), 6)  # 0.1 * (4 weights of 1), in float32
0.4
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from autograd import Tensor
from nn.configurable import Configurable

# the weight each `<prefix>_regularizer` argument penalizes (Keras' names)
_WEIGHT_OF = {
    "kernel_regularizer": "kernel",
    "bias_regularizer": "bias",
    "recurrent_regularizer": "recurrent_kernel",
    "embeddings_regularizer": "embeddings",
}


def _factor(value: Any, name: str, owner: str) -> float:
    # Keras' validate_float_arg: a finite number >= 0, else ValueError
    number = not isinstance(value, bool) and isinstance(value, (int, float))
    if not (number and math.isfinite(value) and value >= 0):
        raise ValueError(
            f"{owner} expects a non-negative float for {name}, received {name}={value!r}"
        )
    return float(value)


class Regularizer(Configurable):
    """Base class: `__call__(weight)` returns the penalty, a scalar Tensor (here 0).

    Any function of a weight Tensor returning a scalar Tensor works as a regularizer too.

    >>> class SumOfCubes(Regularizer):
    ...     def __call__(self, x):
    ...         return (x * x * x).sum() * 0.5
    >>> SumOfCubes()(Tensor([1.0, 2.0])).item()
    4.5
    """

    def __call__(self, x: Tensor) -> Any:
        return 0.0

    def get_config(self) -> dict[str, Any]:
        """The factors that rebuild this regularizer (`from_config`).

        >>> L1L2(l1=0.1).get_config()
        {'l1': 0.1, 'l2': 0.0}
        >>> L2.from_config({"l2": 0.5}).l2
        0.5
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x**2)`; both factors default to 0 (Keras' class defaults).

    >>> L1L2(l1=0.5, l2=0.25)(Tensor([1.0, -2.0])).item()  # 0.5 * 3 + 0.25 * 5
    2.75
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _factor(0.0 if l1 is None else l1, "l1", type(self).__name__)
        self.l2 = _factor(0.0 if l2 is None else l2, "l2", type(self).__name__)

    def __call__(self, x: Tensor) -> Tensor:
        penalty = None
        if self.l1:
            penalty = x.abs().sum() * self.l1
        if self.l2:
            square = (x * x).sum() * self.l2
            penalty = square if penalty is None else penalty + square
        return penalty if penalty is not None else (x * 0.0).sum()

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """`l1 * sum(|x|)`, l1 defaulting to 0.01.

    >>> L1()(Tensor([[1.0, -3.0]])).item()
    0.04
    """

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=0.01 if l1 is None else l1)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(L1L2):
    """`l2 * sum(x**2)` (no 1/2), l2 defaulting to 0.01.

    >>> L2(2.0)(Tensor([[1.0, 1.0], [1.0, 1.0]])).item()
    8.0
    """

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=0.01 if l2 is None else l2)

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


# Keras' lower-case aliases name the classes themselves: keras.regularizers.l2(0.01)
l1 = L1
l2 = L2
l1_l2 = L1L2

_NAMES: dict[str, Callable[[], Regularizer]] = {
    "L1": L1,
    "l1": L1,
    "L2": L2,
    "l2": L2,
    "L1L2": L1L2,
    "l1l2": L1L2,
    # Keras 3's docs: the string 'l1_l2' means l1=0.01 and l2=0.01 (its get() looks up only
    # 'L1L2' and 'l1l2', whose class defaults are 0: we follow the documented meaning)
    "l1_l2": lambda: L1L2(l1=0.01, l2=0.01),
}


def serialize(regularizer: Any) -> Any:
    """`{'class_name': ..., 'config': ...}` for a Regularizer, None for None; a plain
    function is returned as itself (`get` takes it back; it has no config to write).

    >>> serialize(L2(0.1))
    {'class_name': 'L2', 'config': {'l2': 0.1}}
    """
    if isinstance(regularizer, Regularizer):
        return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
    return regularizer


def get(identifier: Any) -> Any:
    """A regularizer from None, a name ('l1', 'l2', 'l1_l2'), a `serialize` dict, a
    Regularizer, or any function of a weight; ValueError for anything else.

    >>> get("l2"), get(None)
    (L2(l2=0.01), None)
    >>> get({"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.0}})
    L1L2(l1=0.1, l2=0.0)
    >>> get("l3")
    Traceback (most recent call last):
    ...
    ValueError: Could not interpret regularizer identifier 'l3': expected None, a callable, a \
serialize() dict or one of 'L1', 'L1L2', 'L2', 'l1', 'l1_l2', 'l1l2', 'l2'
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier in _NAMES:
            return _NAMES[identifier]()
    elif isinstance(identifier, dict):
        name, config = identifier.get("class_name"), identifier.get("config", {})
        cls = {"L1": L1, "L2": L2, "L1L2": L1L2}.get(name)  # type: ignore[arg-type]
        if cls is not None and isinstance(config, dict):
            return cls.from_config(config)
    elif isinstance(identifier, type) and issubclass(identifier, Regularizer):
        return identifier()
    elif callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret regularizer identifier {identifier!r}: expected None, a "
        f"callable, a serialize() dict or one of {', '.join(map(repr, sorted(_NAMES)))}"
    )


# ---------------------------------------------------------------------------------------
# The penalty of a whole model


def _layers(roots: Iterable[Any]) -> Iterable[Any]:
    """Every layer under `roots`: nested models' layers and layers held as attributes
    (Bidirectional's forward and backward layers), each once."""
    seen: set[int] = set()
    stack = list(roots)[::-1]
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        yield layer
        children = list(getattr(layer, "layers", None) or [])
        children += [
            v for v in vars(layer).values() if hasattr(v, "trainable_weights") and v is not layer
        ]
        stack.extend(children[::-1])


def regularized_weights(model: Any) -> list[tuple[Callable[[Tensor], Any], Tensor]]:
    """The (regularizer, weight) pairs of `model` (or of a list of layers) whose weight is
    trainable, as Keras counts only trainable weights' penalties.

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dense(2, input_dim=3, bias_regularizer="l1")])
    >>> [(type(r).__name__, w.shape) for r, w in regularized_weights(model)]
    [('L1', (2,))]
    """
    roots = model.layers if hasattr(model, "layers") else list(model)
    trainable = {id(w) for layer in roots for w in layer.trainable_weights}
    pairs = []
    for layer in _layers(roots):
        for argument, weight_name in _WEIGHT_OF.items():
            regularizer = getattr(layer, argument, None)
            weight = getattr(layer, weight_name, None)
            if regularizer is not None and weight is not None and id(weight) in trainable:
                pairs.append((regularizer, weight))
    return pairs


def penalties(pairs: list[tuple[Callable[[Tensor], Any], Tensor]]) -> list[Tensor]:
    """`regularizer(weight)` for each of `pairs`, each a 0-d Tensor (Keras' `model.losses`).

    >>> w = Tensor([3.0, -4.0], requires_grad=True)
    >>> [p.item() for p in penalties([(L2(0.5), w), (L1(1.0), w)])]
    [12.5, 7.0]
    """
    values = []
    for regularizer, weight in pairs:
        value = regularizer(weight)
        if not isinstance(value, Tensor):
            value = Tensor(value)  # a constant penalty (Regularizer's base returns 0.0)
        if value.size != 1:
            raise ValueError(
                f"a regularizer must return a scalar, received shape {value.shape} from "
                f"{regularizer!r} on weight {weight.name!r}"
            )
        values.append(value.sum() if value.ndim else value)
    return values


def penalty(pairs: list[tuple[Callable[[Tensor], Any], Tensor]]) -> Tensor | None:
    """The sum of `regularizer(weight)` over `pairs` (a scalar Tensor), None when empty.

    >>> w = Tensor([3.0, -4.0], requires_grad=True)
    >>> penalty([(L2(0.5), w), (L1(1.0), w)]).item()  # 0.5 * 25 + 7
    19.5
    """
    total = None
    for value in penalties(pairs):
        total = value if total is None else total + value
    return total


def regularization_loss(model_or_layers: Any) -> Tensor | None:
    """The sum of all weight penalties of a model (or of a list of layers), None if it has
    none; what `fit` adds to the loss.

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dense(2, input_dim=2)])
    >>> regularization_loss(model) is None
    True
    """
    return penalty(regularized_weights(model_or_layers))


__all__ = [
    "L1",
    "L1L2",
    "L2",
    "Regularizer",
    "get",
    "l1",
    "l1_l2",
    "l2",
    "penalties",
    "penalty",
    "regularization_loss",
    "regularized_weights",
    "serialize",
]
