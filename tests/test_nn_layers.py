"""Layers: weights created when the input shape is known, math on Tensors, autograd gradients."""

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from autograd.engine import walk
from nn.layers import Activation, Dense, Dropout, Flatten, Input, InputLayer, Layer


@pytest.fixture(autouse=True)
def seeded():
    nn.utils.set_random_seed(0)


def test_dense_builds_at_construction_when_the_input_shape_is_declared():
    for layer in (Dense(4, input_shape=(3,)), Dense(4, input_dim=3), Dense(4, input_shape=[3])):
        assert layer.built
        kernel, bias = layer.get_weights()
        assert kernel.shape == (3, 4) and bias.shape == (4,)
        assert kernel.dtype == bias.dtype == np.float32
        assert not bias.any()  # bias_initializer='zeros'
        assert layer.output_shape == (None, 4) and layer.input_shape == (None, 3)


def test_dense_builds_on_first_call_otherwise():
    layer = Dense(2)
    assert not layer.built and layer.weights == []
    out = layer(np.ones((5, 3)))
    assert isinstance(out, Tensor) and out.shape == (5, 2)
    assert layer.built and layer.kernel.shape == (3, 2)


def test_dense_call_is_the_math_on_tensors():
    layer = Dense(2, activation="relu", input_dim=3)
    layer.set_weights([np.array([[1, -1], [2, 0], [0, 3]]), np.array([0.5, -10.0])])
    out = layer(np.array([[1.0, 1.0, 1.0]]))
    np.testing.assert_array_equal(out.data, [[3.5, 0.0]])
    assert out.dtype == np.float32


def test_dense_gradients_come_from_the_engine_and_match_finite_differences():
    layer = Dense(3, activation="tanh", input_dim=4, dtype="float64")
    x = Tensor(np.random.default_rng(1).normal(size=(5, 4)), requires_grad=True)

    def f(x, kernel, bias):
        layer.kernel, layer.bias = kernel, bias
        return layer(x)

    assert gradcheck(f, x, layer.kernel, layer.bias)


def test_trainable_weights_receive_grad_after_backward():
    layer = Dense(2, input_dim=3)
    layer(np.ones((4, 3))).sum().backward()
    np.testing.assert_allclose(layer.kernel.grad, np.full((3, 2), 4.0))
    np.testing.assert_allclose(layer.bias.grad, [4.0, 4.0])


def test_each_call_is_drawn_inside_the_layer_scope():
    model = nn.Sequential([Dense(2, input_dim=3, activation="relu"), Dense(1)])
    out = model(np.ones((2, 3)))
    scopes = {node.scope for node in walk(out) if node._fn is not None}
    assert scopes == {"dense (Dense)", "dense_1 (Dense)"}
    assert model.layers[0].kernel.scope == "dense (Dense)"
    assert model.layers[1].kernel.scope == "dense_1 (Dense)"


def test_float64_on_request():
    layer = Dense(2, input_dim=3, dtype="float64")
    assert all(w.dtype == np.float64 for w in layer.get_weights())
    assert layer(np.ones((1, 3), dtype=np.float32)).dtype == np.float64
    with pytest.raises(ValueError, match="float32' or 'float64'.*int32"):
        Dense(2, dtype="int32")


def test_use_bias_false_and_custom_initializers():
    layer = Dense(3, use_bias=False, kernel_initializer="ones", input_dim=2)
    assert layer.weight_names == ["kernel"] and layer.bias is None
    np.testing.assert_array_equal(layer.get_weights()[0], np.ones((2, 3)))
    assert layer.count_params() == 6


def test_activation_layer_applies_by_name():
    out = Activation("sigmoid")(np.array([[0.0]]))
    assert out.data[0, 0] == pytest.approx(0.5)
    with pytest.raises(ValueError, match='layer "activation" is not built yet'):
        Activation("tanh").count_params()
    layer = Activation("tanh")
    layer(np.zeros((1, 2)))
    assert layer.count_params() == 0 and layer.output_shape == (None, 2)


def test_dropout_only_while_training_and_scales_the_rest():
    x = np.ones((200, 50), dtype=np.float32)
    layer = Dropout(0.25)
    np.testing.assert_array_equal(layer(x).data, x)
    out = layer(x, training=True).data
    assert np.unique(out).tolist() == pytest.approx([0.0, 1 / 0.75])
    assert abs((out == 0).mean() - 0.25) < 0.02
    assert out.dtype == np.float32


def test_dropout_seed_and_global_seed_are_reproducible():
    x = np.ones((4, 8))
    a = Dropout(0.5, seed=3)(x, training=True).data
    b = Dropout(0.5, seed=3)(x, training=True).data
    np.testing.assert_array_equal(a, b)
    nn.utils.set_random_seed(5)
    c = Dropout(0.5)(x, training=True).data
    nn.utils.set_random_seed(5)
    np.testing.assert_array_equal(Dropout(0.5)(x, training=True).data, c)


def test_dropout_gradient_follows_the_mask():
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    out = Dropout(0.5, seed=1)(x, training=True)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)  # d(x*m)/dx = m


def test_flatten():
    layer = Flatten()
    out = layer(np.arange(24.0).reshape(2, 3, 4))
    assert out.shape == (2, 12)
    assert layer.compute_output_shape((None, 3, 4)) == (None, 12)
    model = nn.Sequential([Input(shape=(3, 4)), Flatten(), Dense(2)])
    assert model.layers[1].kernel.shape == (12, 2)


def test_input_as_first_element_declares_the_shape():
    model = nn.Sequential([Input(shape=(20,)), Dense(4)])
    assert model.input_shape == (None, 20) and model.built
    assert [layer.name for layer in model.layers] == ["dense"]  # InputLayer is not listed
    assert nn.Sequential([InputLayer(input_shape=(5,)), Dense(1)]).layers[0].kernel.shape == (5, 1)
    assert nn.layers.Input is nn.Input


def test_trainable_false_freezes_weights():
    model = nn.Sequential([Dense(3, input_dim=2), Dense(1)])
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    frozen = model.layers[0].get_weights()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((8, 2)), np.ones(8), epochs=3, verbose=0)
    for before, after in zip(frozen, model.layers[0].get_weights()):
        np.testing.assert_array_equal(before, after)
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[-4:-1] == ["Total params: 13", "Trainable params: 4", "Non-trainable params: 9"]


def test_set_weights_checks_count_and_shapes():
    layer = Dense(2, input_dim=3)
    with pytest.raises(ValueError, match=r'layer "dense" expects 2 weight arrays \(kernel \(3, 2\), bias \(2,\)\), received 1'):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"weight 'kernel' has shape \(3, 2\), received an array of shape \(2, 3\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    with pytest.raises(ValueError, match="not built"):
        Dense(2).set_weights([np.zeros((3, 2)), np.zeros(2)])
    layer.set_weights([np.ones((3, 2)), [1, 2]])
    assert layer.get_weights()[1].tolist() == [1.0, 2.0]


def test_get_weights_returns_copies():
    layer = Dense(2, input_dim=3)
    weights = layer.get_weights()
    weights[0][:] = 99
    assert not (layer.get_weights()[0] == 99).any()


def test_custom_layer_subclass():
    class Scale(Layer):
        def __init__(self, factor, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight("w", (input_shape[-1],), "ones")

        def call(self, inputs):
            return inputs * self.w * self.factor

    layer = Scale(3.0, input_shape=(2,))
    assert layer.built and layer.weight_names == ["w"]  # built after the subclass __init__
    out = layer(np.array([[1.0, 2.0]]))
    out.sum().backward()
    np.testing.assert_array_equal(layer.w.grad, [3.0, 6.0])


def test_layer_input_width_is_checked():
    layer = Dense(2, input_dim=3)
    with pytest.raises(ValueError, match=r'Input 0 of layer "dense" is incompatible.*value 3.*shape \(4, 5\)'):
        layer(np.ones((4, 5)))


def test_bad_layer_arguments():
    with pytest.raises(ValueError, match="units=0"):
        Dense(0)
    with pytest.raises(ValueError, match="units=2.5"):
        Dense(2.5)
    with pytest.raises(ValueError, match="Unknown activation identifier 'rleu'.*'relu'"):
        Dense(2, activation="rleu")
    with pytest.raises(ValueError, match="Unknown initializer identifier"):
        Dense(2, kernel_initializer="glorot")
    with pytest.raises(TypeError, match="unexpected keyword argument.*'unit'"):
        Dense(units=2, unit=3)
    with pytest.raises(ValueError, match="input_shape=\\(0,\\)"):
        Dense(2, input_shape=(0,))
    with pytest.raises(ValueError, match="rate=1.5"):
        Dropout(1.5)
    with pytest.raises(ValueError, match="only one of input_shape, input_dim"):
        Dense(2, input_shape=(3,), input_dim=3)


def test_layer_repr_and_config():
    layer = Dense(3, activation="relu", input_dim=2)
    assert repr(layer) == "<Dense name='dense', built=True>"
    assert layer.get_config()["activation"] == "relu" and layer.get_config()["units"] == 3
