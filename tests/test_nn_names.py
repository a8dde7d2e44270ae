"""Default layer and model names follow Keras 3's `to_snake_case` (keras/src/utils/naming.py)."""

import numpy as np
import pytest

import nn
from nn.layers import Layer
from nn.layers.base import _snake_case

KERAS_NAMES = {
    "Dense": "dense",
    "Conv2D": "conv2d",
    "Conv1D": "conv1d",
    "MaxPooling2D": "max_pooling2d",
    "SimpleRNN": "simple_rnn",
    "LSTM": "lstm",
    "GRU": "gru",
    "BatchNormalization": "batch_normalization",
    "LayerNormalization": "layer_normalization",
    "GlobalAveragePooling2D": "global_average_pooling2d",
    "ZeroPadding2D": "zero_padding2d",
    "Embedding": "embedding",
    "InputLayer": "input_layer",
    "HTTPServer": "http_server",
}


@pytest.mark.parametrize("class_name, expected", sorted(KERAS_NAMES.items()))
def test_a_layer_subclass_is_named_as_keras_names_it(class_name, expected):
    dummy = type(class_name, (Layer,), {})
    assert _snake_case(class_name) == expected
    assert dummy().name == expected


def test_non_word_characters_are_dropped():
    assert _snake_case("My-Layer 2D") == "my_layer2d"


def test_models_number_repeated_keras_names():
    conv = type("Conv2D", (Layer,), {})
    model = nn.Sequential([conv(), conv(), type("SimpleRNN", (Layer,), {})()])
    assert [layer.name for layer in model.layers] == ["conv2d", "conv2d_1", "simple_rnn"]


def test_a_subclassed_model_takes_its_snake_cased_class_name():
    nn.clear_session()

    class MyCNNModel(nn.Model):
        def call(self, inputs):
            return inputs

    assert MyCNNModel().name == "my_cnn_model"
    assert MyCNNModel()(np.ones((1, 2))).shape == (1, 2)
