"""BatchNormalization and LayerNormalization against numpy references written from Keras' math;
the training flag reaching layers from fit, train_on_batch, predict, evaluate and model calls."""

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from autograd.engine import walk
from autograd.gradcheck import numerical_jacobian
from nn.layers import BatchNormalization, Dense, Dropout, Flatten, Layer, LayerNormalization

EPS = 1e-3  # Keras' default epsilon for both layers


@pytest.fixture(autouse=True)
def seeded():
    nn.utils.set_random_seed(0)


# ---------------------------------------------------------------------------------------
# numpy references (float64, loops over features or samples)


def feature_moments(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Per feature on `axis`: the mean and the biased variance over every other axis."""
    features = np.moveaxis(x, axis, -1).reshape(-1, x.shape[axis])
    means, variances = [], []
    for column in features.T:
        mean = sum(column) / len(column)
        means.append(mean)
        variances.append(sum((v - mean) ** 2 for v in column) / len(column))
    return np.array(means), np.array(variances)


def reference_batch_norm(x, gamma, beta, mean, variance, axis=-1, epsilon=EPS):
    """gamma * (x - mean) / sqrt(variance + epsilon) + beta, feature by feature."""
    moved = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    out = np.empty_like(moved)
    for c in range(moved.shape[-1]):
        out[..., c] = gamma[c] * (moved[..., c] - mean[c]) / np.sqrt(variance[c] + epsilon)
        out[..., c] += beta[c]
    return np.moveaxis(out, -1, axis)


def reference_layer_norm(x, gamma, beta, axes, epsilon=EPS, rms_scaling=False):
    """Each sample's slice over `axes` standardized, then * gamma + beta (Keras' formulas)."""
    x = np.asarray(x, dtype=np.float64)
    kept = [a for a in range(x.ndim) if a not in axes]
    moved = np.transpose(x, kept + list(axes))
    rows = moved.reshape(-1, int(np.prod([x.shape[a] for a in axes])))
    out = np.empty_like(rows)
    g = np.ones(rows.shape[1]) if gamma is None else np.asarray(gamma).reshape(-1)
    b = np.zeros(rows.shape[1]) if beta is None else np.asarray(beta).reshape(-1)
    for i, row in enumerate(rows):
        mean = row.mean()
        variance = ((row - mean) ** 2).mean()
        centred = row if rms_scaling else row - mean
        out[i] = g * centred / np.sqrt(variance + epsilon) + b
    return np.transpose(out.reshape(moved.shape), np.argsort(kept + list(axes)))


def numeric_gradient(loss, array: np.ndarray) -> np.ndarray:
    """d loss / d array by central differences (eps 1e-6) in float64."""
    point = Tensor(np.array(array, dtype=np.float64), requires_grad=True)
    return numerical_jacobian(lambda t: loss(t.data), (point,), point, eps=1e-6).reshape(
        array.shape
    )


def random_weights(layer: Layer, rng: np.random.Generator) -> list[np.ndarray]:
    """Set every weight of `layer` to random values (variances positive) and return them."""
    arrays = []
    for name, w in zip(layer.weight_names, layer.weights):
        values = rng.normal(size=w.shape)
        arrays.append(np.abs(values) + 0.5 if name == "moving_variance" else values)
    layer.set_weights(arrays)
    return layer.get_weights()


def tolerance(dtype: str) -> dict:
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-10, "atol": 1e-12}


# ---------------------------------------------------------------------------------------
# BatchNormalization


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape, axis", [((6, 3), -1), ((4, 3, 2, 5), -1), ((3, 4, 2, 2), 1)])
def test_batch_norm_training_uses_batch_statistics(dtype, shape, axis):
    layer = BatchNormalization(axis=axis, dtype=dtype)
    layer.build((None,) + shape[1:])
    gamma, beta, _, _ = random_weights(layer, np.random.default_rng(1))
    x = np.random.default_rng(2).normal(2.0, 3.0, size=shape)
    out = layer(x, training=True)
    mean, variance = feature_moments(x.astype(dtype).astype(np.float64), axis)
    assert out.dtype == np.dtype(dtype) and out.shape == shape
    expected = reference_batch_norm(x.astype(dtype), gamma, beta, mean, variance, axis)
    np.testing.assert_allclose(out.data, expected, **tolerance(dtype))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape, axis", [((5, 4), -1), ((2, 3, 3, 2), 3), ((2, 3, 2, 2), -3)])
def test_batch_norm_inference_uses_the_moving_statistics(dtype, shape, axis):
    layer = BatchNormalization(axis=axis, dtype=dtype, input_shape=shape[1:])
    weights = random_weights(layer, np.random.default_rng(3))
    x = np.random.default_rng(4).normal(size=shape)
    for out in (layer(x), layer(x, training=False)):
        expected = reference_batch_norm(x.astype(dtype), *weights, axis)
        np.testing.assert_allclose(out.data, expected, **tolerance(dtype))
    np.testing.assert_array_equal(layer.moving_mean.data, weights[2])  # no update


def test_moving_statistics_after_a_training_call_follow_keras_formula():
    layer = BatchNormalization(momentum=0.9, dtype="float64", input_shape=(2, 3))
    _, _, moving_mean, moving_variance = random_weights(layer, np.random.default_rng(5))
    x = np.random.default_rng(6).normal(1.0, 2.0, size=(4, 2, 3))
    out = layer(x, training=True)
    mean, variance = feature_moments(x, -1)
    np.testing.assert_allclose(layer.moving_mean.data, moving_mean * 0.9 + mean * 0.1, rtol=1e-12)
    np.testing.assert_allclose(
        layer.moving_variance.data, moving_variance * 0.9 + variance * 0.1, rtol=1e-12
    )
    # the update is outside the graph: the moving weights are no node of it and get no grad
    nodes = {id(node) for node in walk(out)}
    assert id(layer.moving_mean) not in nodes and id(layer.moving_variance) not in nodes
    out.sum().backward()
    assert not layer.moving_mean.requires_grad and layer.moving_mean.grad is None
    assert layer.moving_variance.grad is None and layer.gamma.grad is not None


def test_batch_norm_gradients_flow_through_the_batch_statistics():
    layer = BatchNormalization(dtype="float64", input_shape=(3,))
    random_weights(layer, np.random.default_rng(7))
    x = Tensor(np.random.default_rng(8).normal(size=(5, 3)), requires_grad=True)
    weights = Tensor(np.random.default_rng(9).normal(size=(5, 3)))

    def f(x, gamma, beta):
        layer.gamma, layer.beta = gamma, beta
        return layer(x, training=True) * weights

    assert gradcheck(f, x, layer.gamma, layer.beta)


def sgd_step_matches_reference(model, x, y, forward):
    """train_on_batch moves each trainable weight w to w - 0.1 * dL/dw, dL/dw from central
    differences of the numpy reference `forward(x, *weights)`; returns the weights before."""
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.1), loss="mse")
    before = model.get_weights()
    trainable = {id(w) for w in model.trainable_weights}
    positions = [i for i, w in enumerate(model.weights) if id(w) in trainable]

    def loss_at(i, value):
        weights = list(before)
        weights[i] = value
        return np.mean((forward(x, *weights) - y) ** 2)

    grads = {i: numeric_gradient(lambda v, i=i: loss_at(i, v), before[i]) for i in positions}
    loss = model.train_on_batch(x, y)
    assert loss == pytest.approx(np.mean((forward(x, *before) - y) ** 2), rel=1e-10)
    after = model.get_weights()
    for i in positions:
        np.testing.assert_allclose(after[i], before[i] - 0.1 * grads[i], rtol=1e-7, atol=1e-9)
    return before


def test_one_sgd_step_through_batch_normalization_in_training_mode():
    model = nn.Sequential([
        Dense(3, input_dim=4, dtype="float64"),
        BatchNormalization(momentum=0.8, dtype="float64"),
        Dense(1, dtype="float64"),
    ])
    random_weights(model.layers[1], np.random.default_rng(10))
    x = np.random.default_rng(11).normal(size=(6, 4))
    y = np.random.default_rng(12).normal(size=(6, 1))

    def forward(x, k1, b1, gamma, beta, moving_mean, moving_variance, k2, b2):
        h = x @ k1 + b1
        return reference_batch_norm(h, gamma, beta, *feature_moments(h, -1)) @ k2 + b2

    before = sgd_step_matches_reference(model, x, y, forward)
    h = x @ before[0] + before[1]
    mean, variance = feature_moments(h, -1)
    bn = model.layers[1]
    np.testing.assert_allclose(bn.moving_mean.data, before[4] * 0.8 + mean * 0.2, rtol=1e-12)
    np.testing.assert_allclose(
        bn.moving_variance.data, before[5] * 0.8 + variance * 0.2, rtol=1e-12
    )


def test_one_sgd_step_through_batch_normalization_of_images():
    model = nn.Sequential([
        BatchNormalization(input_shape=(2, 2, 3), dtype="float64"),
        Flatten(dtype="float64"),
        Dense(1, dtype="float64"),
    ])
    x = np.random.default_rng(13).normal(size=(3, 2, 2, 3))
    y = np.random.default_rng(14).normal(size=(3, 1))

    def forward(x, gamma, beta, moving_mean, moving_variance, kernel, bias):
        normalized = reference_batch_norm(x, gamma, beta, *feature_moments(x, -1))
        return normalized.reshape(len(x), -1) @ kernel + bias

    sgd_step_matches_reference(model, x, y, forward)


def test_a_frozen_batch_norm_runs_in_inference_mode_and_keeps_its_statistics():
    layer = BatchNormalization(input_shape=(3,), dtype="float64")
    weights = random_weights(layer, np.random.default_rng(15))
    layer.trainable = False
    x = np.random.default_rng(16).normal(size=(4, 3))
    np.testing.assert_allclose(layer(x, training=True).data, reference_batch_norm(x, *weights))
    assert all(np.array_equal(a, b) for a, b in zip(layer.get_weights(), weights))
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4


def test_center_and_scale_false_drop_beta_and_gamma():
    layer = BatchNormalization(center=False, scale=False, input_shape=(2,))
    assert layer.weight_names == ["moving_mean", "moving_variance"]
    assert layer.trainable_weights == []
    x = np.array([[1.0, 4.0], [3.0, 0.0]])
    np.testing.assert_allclose(
        layer(x, training=True).data,
        reference_batch_norm(x, [1, 1], [0, 0], *feature_moments(x, -1)),
        rtol=1e-5,
    )
    assert LayerNormalization(center=False, input_shape=(2,)).weight_names == ["gamma"]


def test_weights_order_round_trips_and_summary(tmp_path):
    def build():
        return nn.Sequential([Dense(3, input_dim=2), BatchNormalization()], name="bn")

    model = build()
    bn = model.layers[1]
    assert bn.name == "batch_normalization"
    assert bn.weight_names == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.name for w in bn.trainable_weights] == ["gamma", "beta"]
    assert [w.name for w in bn.non_trainable_weights] == ["moving_mean", "moving_variance"]
    random_weights(bn, np.random.default_rng(17))
    copy = build()
    copy.set_weights(model.get_weights())
    path = tmp_path / "bn.weights.npz"
    model.save_weights(path)
    loaded = build()
    loaded.load_weights(path)
    for a, b, c in zip(model.get_weights(), copy.get_weights(), loaded.get_weights()):
        assert a.tobytes() == b.tobytes() == c.tobytes() and a.dtype == c.dtype
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    row = next(line for line in lines if line.startswith("batch_normalization"))
    # the name column widens to the whole label, as Keras 3 shows it
    assert row.split() == ["batch_normalization", "(BatchNormalization)", "(None,", "3)", "12"]
    assert lines[-4:-1] == [
        "Total params: 21",
        "Trainable params: 15",
        "Non-trainable params: 6",
    ]


def test_batch_norm_config():
    config = BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5, center=False).get_config()
    assert {k: config[k] for k in ("axis", "momentum", "epsilon", "center", "scale")} == {
        "axis": 1, "momentum": 0.9, "epsilon": 1e-5, "center": False, "scale": True
    }
    assert config["gamma_initializer"] == "ones" and config["moving_variance_initializer"] == "ones"


@pytest.mark.parametrize("layer_class", [BatchNormalization, LayerNormalization])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_extreme_inputs_give_finite_values_and_gradients_without_warnings(layer_class, dtype):
    big = np.finfo(dtype).max / 4
    x = Tensor(np.array([[big, -big, 3.0], [-big, big, 0.0], [1e-30, 0.0, -1e-30]], dtype=dtype),
               requires_grad=True)
    layer = layer_class(dtype=dtype)
    out = layer(x, training=True) if layer_class is BatchNormalization else layer(x)
    out.sum().backward()
    assert np.isfinite(out.data).all() and np.isfinite(x.grad).all()
    assert np.abs(out.data).max() <= 2.0
    if layer_class is BatchNormalization:
        assert np.isfinite(layer.moving_variance.data).all()
        assert np.isfinite(layer(x).data).all()


def test_batch_norm_bad_arguments_raise_quoting_the_value():
    for momentum in (1.5, -0.1):
        expected = f"momentum to be a number in \\[0, 1\\], received momentum={momentum}"
        with pytest.raises(ValueError, match=expected):
            BatchNormalization(momentum=momentum)
    with pytest.raises(ValueError, match="received momentum='0.9'"):
        BatchNormalization(momentum="0.9")
    with pytest.raises(TypeError, match="axis to be an integer, received axis=True"):
        BatchNormalization(axis=True)
    with pytest.raises(ValueError, match="epsilon to be a positive number.*received epsilon=0"):
        BatchNormalization(epsilon=0)
    with pytest.raises(ValueError, match=r"received axis=2, but inputs of shape \(None, 3\)"):
        BatchNormalization(axis=2, input_shape=(3,))
    with pytest.raises(ValueError, match="received axis=0.*besides the batch axis 0"):
        BatchNormalization(axis=0)(np.ones((2, 3)))
    layer = BatchNormalization(input_shape=(3,))
    with pytest.raises(ValueError, match=r"axis 1 of size 3, but received input with shape \(2, 4"):
        layer(np.ones((2, 4)))


# ---------------------------------------------------------------------------------------
# LayerNormalization


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "shape, axis, axes",
    [((4, 5), -1, (1,)), ((2, 3, 4), -1, (2,)), ((2, 3, 2, 4), [1, 2, 3], (1, 2, 3)),
     ((2, 3, 2, 4), [-1, 1], (1, 3)), ((3, 4, 2), 1, (1,))],
)
def test_layer_norm_equals_the_reference(dtype, shape, axis, axes):
    layer = LayerNormalization(axis=axis, dtype=dtype)
    layer.build((None,) + shape[1:])
    gamma, beta = random_weights(layer, np.random.default_rng(18))
    assert gamma.shape == tuple(shape[a] for a in axes)
    x = np.random.default_rng(19).normal(1.0, 4.0, size=shape).astype(dtype)
    out = layer(x)
    assert out.dtype == np.dtype(dtype) and out.shape == shape
    np.testing.assert_allclose(
        out.data, reference_layer_norm(x, gamma, beta, axes), **tolerance(dtype)
    )


def test_rms_scaling_computes_what_keras_computes_and_warns_as_keras():
    with pytest.warns(UserWarning, match="rms_scaling=True`, which is deprecated"):
        layer = LayerNormalization(rms_scaling=True, dtype="float64", input_shape=(4,))
    assert layer.weight_names == ["gamma"]
    (gamma,) = random_weights(layer, np.random.default_rng(20))
    x = np.random.default_rng(21).normal(2.0, 1.0, size=(3, 4))
    expected = reference_layer_norm(x, gamma, None, (1,), rms_scaling=True)
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-10)


def test_one_sgd_step_through_layer_normalization():
    model = nn.Sequential([
        Dense(4, input_dim=3, dtype="float64"),
        LayerNormalization(dtype="float64"),
        Dense(1, dtype="float64"),
    ])
    random_weights(model.layers[1], np.random.default_rng(22))
    x = np.random.default_rng(23).normal(size=(5, 3))
    y = np.random.default_rng(24).normal(size=(5, 1))

    def forward(x, k1, b1, gamma, beta, k2, b2):
        return reference_layer_norm(x @ k1 + b1, gamma, beta, (1,)) @ k2 + b2

    sgd_step_matches_reference(model, x, y, forward)


def test_layer_norm_bad_arguments_raise_quoting_the_value():
    with pytest.raises(TypeError, match="received axis='last'"):
        LayerNormalization(axis="last")
    with pytest.raises(TypeError, match=r"received axis=\[\]"):
        LayerNormalization(axis=[])
    with pytest.raises(ValueError, match=r"received axis=3, but inputs of shape \(None, 2, 3\)"):
        LayerNormalization(axis=[1, 3], input_shape=(2, 3))
    with pytest.raises(ValueError, match="repeated axis"):
        LayerNormalization(axis=[1, -1], input_shape=(2,))
    with pytest.raises(ValueError, match="received epsilon=-1"):
        LayerNormalization(epsilon=-1)
    layer = LayerNormalization(input_shape=(3,))
    with pytest.raises(ValueError, match=r"axis 1 of size 3, but received input with shape"):
        layer(np.ones((2, 5)))
    config = LayerNormalization(axis=[1, 2], epsilon=1e-5).get_config()
    assert config["axis"] == [1, 2] and config["epsilon"] == 1e-5


# ---------------------------------------------------------------------------------------
# The training flag: fit and train_on_batch say True, predict, evaluate and plain calls False


class Spy(Layer):
    """Records the training flag and the inputs of every call."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls: list[tuple[bool, np.ndarray]] = []

    def call(self, inputs, training=False):
        self.calls.append((training, inputs.data.copy()))
        return inputs


def spied_sequential():
    spy = Spy()
    layers = [Dense(8, input_dim=3), BatchNormalization(), Dropout(0.5), spy, Dense(1)]
    model = nn.Sequential(layers)
    return model, model.layers[1], spy


class SpiedModel(nn.Model):
    def __init__(self):
        super().__init__()
        self.dense = Dense(8)
        self.bn = BatchNormalization()
        self.dropout = Dropout(0.5)
        self.spy = Spy()
        self.out = Dense(1)

    def call(self, inputs, training=False):
        h = self.dropout(self.bn(self.dense(inputs), training=training), training=training)
        return self.out(self.spy(h, training=training))


def spied_subclass():
    model = SpiedModel()
    model.build((None, 3))
    return model, model.bn, model.spy


@pytest.mark.parametrize("make", [spied_sequential, spied_subclass])
def test_the_training_flag_reaches_batch_norm_and_dropout(make):
    model, bn, spy = make()
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.01), loss="mse")
    x = np.random.default_rng(25).normal(size=(16, 3))
    y = np.random.default_rng(26).normal(size=(16, 1))

    def run(action):
        spy.calls.clear()
        before = bn.moving_mean.data.copy()
        action()
        flags = {flag for flag, _ in spy.calls}
        dropped = any((inputs == 0).any() for _, inputs in spy.calls)
        moved = not np.array_equal(before, bn.moving_mean.data)
        return flags, dropped, moved

    assert run(lambda: model.fit(x, y, batch_size=8, epochs=1, verbose=0)) == ({True}, True, True)
    assert run(lambda: model.train_on_batch(x, y)) == ({True}, True, True)
    assert run(lambda: model(x, training=True)) == ({True}, True, True)
    assert run(lambda: model.predict(x, verbose=0)) == ({False}, False, False)
    assert run(lambda: model.evaluate(x, y, verbose=0)) == ({False}, False, False)
    assert run(lambda: model(x)) == ({False}, False, False)
