"""Keras-style layers over autograd Tensors: `from nn.layers import Dense, Activation`.

>>> from nn.layers import Dense
>>> Dense(4, input_dim=2).count_params()
12
"""

from nn.layers.base import Layer
from nn.layers.core import Activation, Dense, Dropout, Flatten
from nn.layers.embedding import Embedding
from nn.layers.input import Input, InputLayer
from nn.layers.normalization import BatchNormalization, LayerNormalization

__all__ = [
    "Activation",
    "BatchNormalization",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "Input",
    "InputLayer",
    "Layer",
    "LayerNormalization",
]
