"""Embedding: rows picked by integer ids, gradients scattered back by the engine, Keras' API."""

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from autograd.gradcheck import numerical_jacobian
from nn.layers import Dense, Embedding, Flatten


@pytest.fixture(autouse=True)
def seeded():
    nn.utils.set_random_seed(0)


def reference_embedding(table: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Keras' documented math as plain loops: out[..., :] = table[id]."""
    out = np.empty(ids.shape + (table.shape[1],), dtype=table.dtype)
    for index in np.ndindex(*ids.shape):
        out[index] = table[int(ids[index])]
    return out


def numeric_gradient(loss, array: np.ndarray) -> np.ndarray:
    """d loss / d array by central differences (eps 1e-6) in float64."""
    point = Tensor(np.array(array, dtype=np.float64), requires_grad=True)
    return numerical_jacobian(lambda t: loss(t.data), (point,), point, eps=1e-6).reshape(
        array.shape
    )


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(4,), (3, 5), (2, 3, 4)])
def test_forward_equals_the_reference_for_ids_of_any_shape(dtype, shape):
    layer = Embedding(7, 3, dtype=dtype)
    ids = np.random.default_rng(1).integers(0, 7, size=shape)
    out = layer(ids)
    assert out.shape == shape + (3,) and out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.data, reference_embedding(layer.embeddings.data, ids))
    assert layer.output_shape == (None,) + shape[1:] + (3,)


def test_the_default_initializer_is_keras_uniform():
    layer = Embedding(50, 40)
    layer.build((None, 1))
    table = layer.get_weights()[0]
    assert table.shape == (50, 40) and table.dtype == np.float32
    assert table.min() >= -0.05 and table.max() < 0.05 and table.std() > 0.02
    assert isinstance(nn.initializers.get("uniform"), nn.initializers.RandomUniform)


def test_whole_floats_and_every_integer_dtype_pick_the_same_rows():
    layer = Embedding(300, 2)
    ids = np.array([[0, 5, 299]])
    expected = layer(ids).data
    for variant in (ids.astype(np.float32), ids.astype(np.float64), ids.astype(np.uint16),
                    ids.astype(np.int32), ids.tolist(), Tensor(ids)):
        np.testing.assert_array_equal(layer(variant).data, expected)


def test_repeated_ids_accumulate_their_gradients():
    layer = Embedding(4, 2, embeddings_initializer="ones")
    layer(np.array([[1, 1, 3], [1, 0, 3]])).sum().backward()
    np.testing.assert_array_equal(layer.embeddings.grad, [[1, 1], [3, 3], [0, 0], [2, 2]])


def test_gradient_matches_finite_differences():
    layer = Embedding(5, 3, dtype="float64", input_shape=(3,))
    ids = np.array([[4, 0, 4], [2, 2, 1]])
    weights = Tensor(np.random.default_rng(2).normal(size=(5, 3)))

    def f(table):
        layer.embeddings = table
        return layer(ids) * weights[ids]

    assert gradcheck(f, layer.embeddings)


def test_one_sgd_step_moves_every_weight_by_the_reference_gradient():
    model = nn.Sequential([
        Embedding(6, 2, input_shape=(3,), dtype="float64"),
        Flatten(dtype="float64"),
        Dense(1, dtype="float64"),
    ])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.1), loss="mse")
    ids = np.array([[0, 5, 5], [3, 1, 0], [2, 2, 2], [4, 4, 1]])
    y = np.array([[1.0], [-0.5], [2.0], [0.0]])
    table, kernel, bias = model.get_weights()

    def loss(table, kernel, bias):
        flat = reference_embedding(table, ids).reshape(len(ids), -1)
        return np.mean((flat @ kernel + bias - y) ** 2)

    grads = [
        numeric_gradient(lambda t: loss(t, kernel, bias), table),
        numeric_gradient(lambda k: loss(table, k, bias), kernel),
        numeric_gradient(lambda b: loss(table, kernel, b), bias),
    ]
    before = model.train_on_batch(ids, y)
    assert before == pytest.approx(loss(table, kernel, bias), rel=1e-12)
    for after, w, g in zip(model.get_weights(), (table, kernel, bias), grads):
        np.testing.assert_allclose(after, w - 0.1 * g, rtol=1e-7, atol=1e-9)


def test_a_sequential_starting_with_embedding_fits_and_predicts():
    model = nn.Sequential([Embedding(10, 4), Flatten(), Dense(1)])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.1), loss="mse")
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 10, size=(32, 5))
    y = (ids.sum(axis=1, keepdims=True) / 25.0).astype(np.float32)
    history = model.fit(ids, y, batch_size=8, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    table, kernel, bias = model.get_weights()
    expected = reference_embedding(table, ids).reshape(32, -1) @ kernel + bias
    np.testing.assert_allclose(model.predict(ids, verbose=0), expected, rtol=1e-5, atol=1e-6)
    assert model.evaluate(ids, y, verbose=0) == pytest.approx(
        float(np.mean((expected - y) ** 2)), rel=1e-4
    )
    with pytest.raises(ValueError, match=r"ids in \[0, 10\), received 10\.0"):
        model.predict(np.full((2, 5), 10), verbose=0)


def test_float32_ids_beyond_two_to_the_24_are_refused_as_inexact():
    layer = Embedding(10, 2)
    with pytest.raises(ValueError, match="below 16777216 in float32 inputs.*dtype='float64'"):
        layer(np.array([[2.0**24]], dtype=np.float32))
    with pytest.raises(ValueError, match=r"ids in \[0, 10\), received 16777217"):
        layer(np.array([[2**24 + 1]]))  # an integer array is checked exactly


@pytest.mark.parametrize(
    "ids, message",
    [
        ([[1.5, 2.0]], r"whole numbers\), received 1\.5 at index \(0, 0\)"),
        ([[0.0, np.nan]], r"whole numbers\), received nan at index \(0, 1\)"),
        ([[3, -1]], r"ids in \[0, 5\), received -1 at index \(0, 1\)"),
        ([[5]], r"ids in \[0, 5\), received 5 at index \(0, 0\)"),
    ],
)
def test_bad_ids_raise_value_error_quoting_the_value(ids, message):
    with pytest.raises(ValueError, match=message):
        Embedding(5, 2)(np.array(ids))


def test_bad_arguments_raise_quoting_what_was_received():
    with pytest.raises(ValueError, match="positive integer, received output_dim=0"):
        Embedding(5, 0)
    with pytest.raises(ValueError, match="positive integer, received input_dim=2.5"):
        Embedding(2.5, 3)
    with pytest.raises(ValueError, match="received mask_zero=True"):
        Embedding(5, 3, mask_zero=True)
    with pytest.raises(TypeError, match="integer ids, received an array of dtype <U1"):
        Embedding(5, 3)(np.array([["a"]]))
    with pytest.raises(ValueError, match="Unknown initializer identifier 'unifrom'"):
        Embedding(5, 3, embeddings_initializer="unifrom")


def test_input_length_is_ignored_with_keras_3_warning():
    with pytest.warns(UserWarning, match="input_length` is deprecated"):
        layer = Embedding(5, 3, input_length=4)
    assert not layer.built and layer(np.zeros((2, 6))).shape == (2, 6, 3)


def test_initial_weights_and_weight_round_trips_are_bit_exact(tmp_path):
    matrix = np.arange(12.0).reshape(4, 3) / 7
    layer = Embedding(4, 3, weights=matrix)
    np.testing.assert_array_equal(layer([[3, 0]]).data[0], matrix[[3, 0]].astype(np.float32))
    assert layer.weight_names == ["embeddings"]
    with pytest.raises(ValueError, match=r"'embeddings' has shape \(4, 3\).*shape \(3, 4\)"):
        layer.set_weights([matrix.T])

    model = nn.Sequential([Embedding(8, 3, input_shape=(2,)), Flatten(), Dense(2)])
    path = tmp_path / "embedding.weights.npz"
    model.save_weights(path)
    fresh = nn.Sequential([Embedding(8, 3, input_shape=(2,)), Flatten(), Dense(2)])
    fresh.set_weights(model.get_weights())
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), fresh.get_weights()))
    other = nn.Sequential([Embedding(8, 3, input_shape=(2,)), Flatten(), Dense(2)])
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


def test_summary_and_config():
    model = nn.Sequential([Embedding(10, 3, input_shape=(4,)), Flatten()], name="emb")
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    row = next(line for line in lines if line.startswith("embedding (Embedding)"))
    assert row.split()[2:] == ["(None,", "4,", "3)", "30"]
    assert "Trainable params: 30" in lines and "Non-trainable params: 0" in lines
    config = Embedding(10, 3, name="words").get_config()
    assert config == {
        "name": "words",
        "trainable": True,
        "dtype": "float32",
        "input_dim": 10,
        "output_dim": 3,
        "embeddings_initializer": "random_uniform",
        "embeddings_regularizer": None,
        "mask_zero": False,
    }
