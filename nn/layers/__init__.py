"""Keras-style layers over autograd Tensors: `from nn.layers import Dense, Activation`.

>>> from nn.layers import Dense
>>> Dense(4, input_dim=2).count_params()
12
"""

from nn.layers.base import Layer
from nn.layers.conv import Conv1D, Conv2D
from nn.layers.core import Activation, Dense, Dropout, Flatten
from nn.layers.embedding import Embedding
from nn.layers.input import Input, InputLayer
from nn.layers.merging import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from nn.layers.normalization import BatchNormalization, LayerNormalization
from nn.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from nn.layers.recurrent import GRU, LSTM, Bidirectional, SimpleRNN
from nn.layers.reshaping import Reshape, ZeroPadding1D, ZeroPadding2D

__all__ = [
    "Activation",
    "Add",
    "Average",
    "Concatenate",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
    "AveragePooling1D",
    "AveragePooling2D",
    "BatchNormalization",
    "Bidirectional",
    "Conv1D",
    "Conv2D",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRU",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "Input",
    "InputLayer",
    "LSTM",
    "Layer",
    "LayerNormalization",
    "MaxPooling1D",
    "MaxPooling2D",
    "Reshape",
    "SimpleRNN",
    "ZeroPadding1D",
    "ZeroPadding2D",
]
