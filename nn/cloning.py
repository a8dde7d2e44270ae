"""`clone_model`: the same architecture with new layers and fresh weights (Keras 3's
keras/src/models/cloning.py).

>>> import nn
>>> model = nn.Sequential([nn.layers.Dense(3, input_dim=2), nn.layers.Dense(1)], name="net")
>>> twin = clone_model(model)
>>> twin.name, [layer.name for layer in twin.layers], twin.layers[0] is model.layers[0]
('net', ['dense', 'dense_1'], False)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nn.layers.base import Layer
from nn.layers.input import InputLayer


def clone_layer(layer: Layer) -> Layer:
    """A new, unbuilt layer from `layer`'s config: Keras' default `clone_function`.

    >>> from nn.layers import Dense
    >>> clone_layer(Dense(4, activation="relu", name="hidden", input_dim=3))
    <Dense name='hidden', built=False>
    """
    cls, config = type(layer), layer.get_config()
    from_config = getattr(cls, "from_config", None)
    return from_config(config) if from_config is not None else cls(**config)


def clone_model(
    model: Any,
    input_tensors: Any = None,
    clone_function: Callable[[Layer], Layer] | None = None,
) -> Any:
    """A new model of the same architecture: every layer rebuilt by `clone_function`
    (default: from its config, so weights are freshly initialized, as Keras), the clone built
    for the original's input shape. Copy the weights with
    `clone.set_weights(model.get_weights())`; `clone_function=lambda layer: layer` shares them.

    >>> import numpy as np, nn
    >>> model = nn.Sequential([nn.layers.Dense(2, input_dim=3)])
    >>> twin = clone_model(model)
    >>> twin.built, np.array_equal(twin.get_weights()[0], model.get_weights()[0])
    (True, False)
    >>> twin.set_weights(model.get_weights())
    >>> x = np.ones((1, 3))
    >>> bool((twin.predict(x, verbose=0) == model.predict(x, verbose=0)).all())
    True
    """
    from nn.functional import Functional
    from nn.models import Sequential

    clone = clone_function or clone_layer
    if not callable(clone):
        raise TypeError(f"clone_model expects clone_function to be callable, received {clone!r}")
    if not isinstance(model, (Sequential, Functional)):
        raise TypeError(
            f"clone_model expects a Sequential or functional model, received {model!r}: a "
            "subclassed model's layers are created by its own __init__ (construct it again)"
        )
    if input_tensors is not None:
        raise ValueError(
            "clone_model takes no input_tensors here, received "
            f"{input_tensors!r}: the clone gets new inputs of the original's shapes"
        )
    if isinstance(model, Functional):
        originals = {layer.name: layer for layer in model.layers}

        def make_layer(class_name: str, config: dict[str, Any]) -> Layer:
            layer = originals[config["name"]]
            # as Keras: inputs are new Input layers, clone_function sees the others
            return clone_layer(layer) if isinstance(layer, InputLayer) else _cloned(layer, clone)

        return Functional.from_config(model.get_config(), make_layer=make_layer)
    layers = [_cloned(layer, clone) for layer in model.layers]
    twin = type(model)(name=model.name)
    for layer in layers:
        twin.add(layer)
    shape = model._batch_input_shape
    if shape is not None and not twin.built:
        twin.build(shape)
    return twin


def _cloned(layer: Layer, clone: Callable[[Layer], Layer]) -> Layer:
    new = clone(layer)
    if not isinstance(new, Layer):
        raise TypeError(
            f"clone_function must return a Layer, received {new!r} for layer {layer.name!r}"
        )
    return new
