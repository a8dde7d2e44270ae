"""Users' own layers (issue 17, item 4): add_weight in Keras 3's form without a name, and an
output shape inferred from call() when the layer defines no compute_output_shape."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.layers import Dense, Layer


@pytest.fixture(autouse=True)
def seeded():
    nn.utils.set_random_seed(0)


class Scale(Layer):
    """Keras 3's tutorial layer: weights made with keywords only, no names."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", trainable=True)
        self.b = self.add_weight(shape=(input_shape[-1],), initializer="zeros", trainable=False)

    def call(self, inputs):
        return inputs * self.w + self.b


class Pairs(Layer):
    """Changes the feature count (2 * features) without defining compute_output_shape."""

    def call(self, inputs):
        from autograd import concatenate

        return concatenate([inputs, inputs * inputs], axis=-1)


def test_add_weight_without_a_name_as_keras_3():
    layer = Scale()
    out = layer(np.array([[1.0, 2.0, 3.0]]))
    assert layer.weight_names == ["variable", "variable_1"]  # Keras 3's automatic name
    assert [w.shape for w in layer.weights] == [(3,), (3,)]
    assert layer.w.requires_grad and not layer.b.requires_grad
    assert [w.name for w in layer.trainable_weights] == ["variable"]
    np.testing.assert_array_equal(out.data, [[1.0, 2.0, 3.0]])


def test_add_weight_positional_forms_and_defaults():
    layer = Layer()
    kernel = layer.add_weight((2, 3), "ones")  # Keras 3's order: shape, initializer
    named = layer.add_weight("bias", (3,), "zeros")  # Keras 2's order: name first
    scalar = layer.add_weight(initializer="ones")  # shape None: a scalar, as Keras 3
    default = layer.add_weight(shape=(4, 5))  # glorot_uniform, as Keras 3
    wide = layer.add_weight(shape=(2,), dtype="float64", name="wide")
    assert layer.weight_names == ["variable", "bias", "variable_1", "variable_2", "wide"]
    assert kernel.data.tolist() == [[1.0] * 3] * 2 and named.data.tolist() == [0.0] * 3
    assert scalar.shape == () and float(scalar.data) == 1.0
    limit = np.sqrt(6.0 / (4 + 5))
    assert np.abs(default.data).max() <= limit and np.abs(default.data).std() > 0
    assert wide.dtype == np.float64 and kernel.dtype == np.float32


def test_add_weight_rejects_bad_arguments():
    layer = Layer(name="mine")
    with pytest.raises(ValueError, match=r'layer "mine": add_weight .* shape=\(2, -1\)'):
        layer.add_weight(shape=(2, -1))
    with pytest.raises(TypeError, match="shape both by position and by keyword"):
        layer.add_weight((2,), shape=(3,))
    with pytest.raises(ValueError, match="received name='a/b'"):
        layer.add_weight(shape=(2,), name="a/b")
    layer.add_weight(shape=(1,), name="w")
    with pytest.raises(ValueError, match="already has a weight named 'w'"):
        layer.add_weight(shape=(1,), name="w")


def test_output_shape_is_inferred_so_the_next_layer_builds_right():
    model = nn.Sequential([nn.Input(shape=(3,)), Pairs(), Dense(2)])
    assert model.layers[0].output_shape == (None, 6)
    assert model.layers[1].kernel.shape == (6, 2)  # it was built for 3 inputs before
    x = np.arange(6.0).reshape(2, 3)
    kernel, bias = model.layers[1].get_weights()
    expected = np.concatenate([x, x * x], axis=1) @ kernel + bias
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.ones((2, 2)), epochs=2, verbose=0)
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[4].split()[:4] == ["pairs", "(Pairs)", "(None,", "6)"]


def test_output_shape_is_inferred_in_the_functional_api_too():
    inputs = nn.Input(shape=(4,))
    pairs = Pairs()(inputs)
    assert pairs.shape == (None, 8)
    model = nn.Model(inputs, Dense(1)(pairs))
    assert model.predict(np.ones((3, 4)), verbose=0).shape == (3, 1)


def test_a_call_that_fails_on_the_zero_batch_is_blamed_on_its_own_layer():
    class NeedsTwoFeatures(Layer):
        def call(self, inputs):
            if inputs.shape[-1] != 2:
                raise ValueError(f"wants 2 features, got {inputs.shape[-1]}")
            return inputs

    with pytest.raises(ValueError, match=r'layer "needs_two_features" \(NeedsTwoFeatures\) '
                                         r"defines no compute_output_shape.*wants 2 features"):
        nn.Sequential([nn.Input(shape=(3,)), NeedsTwoFeatures(), Dense(1)])


def test_inference_ignores_numpy_warnings_of_the_zero_batch():
    class Log(Layer):
        def call(self, inputs):
            return inputs.log()

    # log(0) = -inf on the zero batch: no RuntimeWarning (an error under pytest) escapes
    model = nn.Sequential([nn.Input(shape=(2,)), Log()])
    assert model.output_shape == (None, 2)


def test_a_custom_layer_may_take_a_list_of_tensors():
    class WeightedSum(Layer):
        def build(self, input_shape):
            self.alpha = self.add_weight(shape=(), initializer="ones")

        def call(self, inputs):
            a, b = inputs
            return a * self.alpha + b

    layer = WeightedSum()
    out = layer([Tensor(np.ones((2, 3))), Tensor(np.full((2, 3), 2.0))])
    np.testing.assert_array_equal(out.data, np.full((2, 3), 3.0))
    a, b = nn.Input(shape=(3,)), nn.Input(shape=(3,))
    symbolic = WeightedSum()([a, b])
    assert symbolic.shape == (None, 3)  # inferred from a call on a list of zero batches
    model = nn.Model([a, b], symbolic)
    np.testing.assert_array_equal(
        model.predict([np.ones((1, 3)), np.ones((1, 3))], verbose=0), [[2.0, 2.0, 2.0]]
    )


def test_nn_layers_that_take_one_tensor_refuse_a_list():
    with pytest.raises(ValueError, match=r'layer "dense" \(Dense\) takes one tensor, received a '
                                         "list of 2"):
        Dense(2)([Tensor(np.ones((1, 3))), Tensor(np.ones((1, 3)))])
