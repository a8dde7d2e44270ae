"""chainrule's Keras-style neural-network layer, built on `autograd`.

Keras code from tutorials runs with the import swapped: `import nn as keras`. Every gradient
comes from the `autograd` engine.

>>> import nn as keras
>>> model = keras.Sequential([keras.layers.Dense(units=1, input_shape=[1])])
>>> model.compile(optimizer="sgd", loss="mean_squared_error")
>>> history = model.fit([1.0, 2.0, 3.0], [2.0, 4.0, 6.0], epochs=2, verbose=0)
>>> sorted(history.history)
['loss']

A custom training loop uses the same pieces directly:

>>> import numpy as np
>>> from autograd import Tensor
>>> loss_fn = keras.losses.get("mse")
>>> out = model(Tensor(np.array([[1.0]], dtype=np.float32)))
>>> loss = loss_fn(np.array([[2.0]]), out)
>>> loss.backward()
>>> model.optimizer.step(model.trainable_weights)
"""

from nn import (
    activations,
    callbacks,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    saving,
    training,
    utils,
)
from nn.layers import Input
from nn.models import Model, Sequential, clear_session
from nn.training import NonFiniteLossError

__all__ = [
    "Input",
    "Model",
    "NonFiniteLossError",
    "Sequential",
    "activations",
    "callbacks",
    "clear_session",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "regularizers",
    "saving",
    "training",
    "utils",
]
