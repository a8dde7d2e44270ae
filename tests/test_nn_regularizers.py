"""Weight regularizers against numpy formulas written from Keras 3's docs
(keras/src/regularizers/regularizers.py: l1 * sum(|w|), l2 * sum(w**2), no 1/2)."""

import numpy as np
import pytest

import nn
from autograd import Tensor

regularizers = nn.regularizers


def numpy_penalty(w: np.ndarray, l1: float, l2: float) -> tuple[float, np.ndarray]:
    """The penalty and its gradient, element by element."""
    value, grad = 0.0, np.zeros_like(w)
    for index in np.ndindex(w.shape):
        x = float(w[index])
        value += l1 * abs(x) + l2 * x * x
        grad[index] = l1 * np.sign(x) + 2 * l2 * x
    return value, grad


@pytest.mark.parametrize(
    "regularizer, l1, l2",
    [
        (regularizers.L1(), 0.01, 0.0),
        (regularizers.L2(), 0.0, 0.01),
        (regularizers.L1(0.3), 0.3, 0.0),
        (regularizers.L2(0.7), 0.0, 0.7),
        (regularizers.L1L2(l1=0.2, l2=0.05), 0.2, 0.05),
        (regularizers.get("l1_l2"), 0.01, 0.01),
    ],
)
def test_penalty_and_its_engine_gradient_match_numpy(regularizer, l1, l2):
    rng = np.random.default_rng(0)
    data = rng.normal(size=(3, 4)) + 0.05  # away from the kink of |x| at 0
    w = Tensor(data.copy(), requires_grad=True)
    out = regularizer(w)
    out.backward()
    value, grad = numpy_penalty(data, l1, l2)
    assert out.item() == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(w.grad, grad, rtol=1e-12)


def test_defaults_and_identifiers_are_keras():
    assert regularizers.L1().l1 == 0.01 and regularizers.L2().l2 == 0.01
    assert (regularizers.L1L2().l1, regularizers.L1L2().l2) == (0.0, 0.0)
    assert regularizers.l2 is regularizers.L2 and regularizers.l1_l2 is regularizers.L1L2
    assert isinstance(regularizers.get("l1"), regularizers.L1)
    assert isinstance(regularizers.get(regularizers.L2), regularizers.L2)  # a class: its defaults
    assert regularizers.get(None) is None
    fn = lambda w: w.abs().sum()
    assert regularizers.get(fn) is fn
    rebuilt = regularizers.get(regularizers.serialize(regularizers.L1L2(0.1, 0.2)))
    assert (rebuilt.l1, rebuilt.l2) == (0.1, 0.2)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: regularizers.L2(-0.1), "non-negative float for l2"),
        (lambda: regularizers.L1(float("nan")), "non-negative float for l1"),
        (lambda: regularizers.L1L2(l1="0.1"), "non-negative float for l1"),
        (lambda: regularizers.get("l3"), "Could not interpret regularizer identifier 'l3'"),
        (lambda: nn.layers.Dense(2, kernel_regularizer="big"), "regularizer identifier 'big'"),
    ],
)
def test_bad_regularizers_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_layers_keep_their_regularizers_and_configs_carry_them():
    dense = nn.layers.Dense(2, kernel_regularizer="l2", bias_regularizer=regularizers.L1(0.5))
    config = dense.get_config()
    assert config["kernel_regularizer"] == {"class_name": "L2", "config": {"l2": 0.01}}
    assert config["bias_regularizer"] == {"class_name": "L1", "config": {"l1": 0.5}}
    again = nn.layers.Dense(**config)
    assert again.kernel_regularizer.l2 == 0.01 and again.bias_regularizer.l1 == 0.5
    lstm = nn.layers.LSTM(3, recurrent_regularizer="l1")
    assert isinstance(lstm.recurrent_regularizer, regularizers.L1)
    conv = nn.layers.Conv2D(2, 3, kernel_regularizer="l1_l2")
    assert (conv.kernel_regularizer.l1, conv.kernel_regularizer.l2) == (0.01, 0.01)
    emb = nn.layers.Embedding(5, 2, embeddings_regularizer="l2")
    assert emb.get_config()["embeddings_regularizer"]["class_name"] == "L2"


def test_regularization_loss_sums_every_trainable_weights_penalty_including_nested_layers():
    nn.utils.set_random_seed(0)
    model = nn.Sequential(
        [
            nn.layers.Embedding(6, 3, embeddings_regularizer=regularizers.L2(0.1), input_shape=(4,)),
            nn.layers.Bidirectional(
                nn.layers.SimpleRNN(2, kernel_regularizer=regularizers.L1(0.2),
                                    recurrent_regularizer=regularizers.L2(0.3))
            ),
            nn.layers.Dense(1, bias_regularizer=regularizers.L1(0.4), bias_initializer="ones"),
        ]
    )
    emb, bi, dense = model.layers
    want = 0.1 * np.sum(emb.embeddings.data.astype(np.float64) ** 2) + 0.4 * 1.0
    for rnn in (bi.forward_layer, bi.backward_layer):
        want += 0.2 * np.abs(rnn.kernel.data.astype(np.float64)).sum()
        want += 0.3 * np.sum(rnn.recurrent_kernel.data.astype(np.float64) ** 2)
    assert regularizers.regularization_loss(model).item() == pytest.approx(want, rel=1e-5)
    dense.trainable = False  # as Keras: a frozen weight's penalty is not counted
    assert regularizers.regularization_loss(model).item() == pytest.approx(want - 0.4, rel=1e-5)
    assert regularizers.regularization_loss(nn.Sequential([nn.layers.Dense(1, input_dim=1)])) is None


# -- the penalty in training, as Keras 3's compute_loss adds model.losses ---------------------


def regularized_linear(l2: float, lr: float, kernel: float = 0.5, bias: float = 0.25):
    model = nn.Sequential(
        [nn.layers.Dense(1, input_dim=1, dtype="float64",
                         kernel_regularizer=regularizers.L2(l2), bias_regularizer="l1")]
    )
    model.set_weights([np.array([[kernel]]), np.array([bias])])
    model.compile(optimizer=nn.optimizers.SGD(lr), loss="mse")
    return model


X = np.array([[0.0], [1.0], [2.0], [3.0]])
Y = np.array([1.0, 0.0, 4.0, 2.0])


def test_fit_and_evaluate_report_the_loss_plus_the_penalty():
    model = regularized_linear(0.1, lr=0.0)
    data = np.mean((0.5 * X[:, 0] + 0.25 - Y) ** 2)
    want = data + 0.1 * 0.5**2 + 0.01 * 0.25
    history = model.fit(X, Y, batch_size=3, epochs=1, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(want, rel=1e-12)
    assert model.evaluate(X, Y, verbose=0) == pytest.approx(want, rel=1e-12)
    assert model.train_on_batch(X, Y) == pytest.approx(want, rel=1e-12)


def test_a_step_follows_the_gradient_of_loss_plus_penalty():
    k, b, lr, l2 = 0.5, 0.25, 0.05, 0.1
    model = regularized_linear(l2, lr=lr, kernel=k, bias=b)
    model.fit(X, Y, batch_size=len(X), verbose=0, shuffle=False)
    residual = k * X[:, 0] + b - Y
    grad_k = np.mean(2 * residual * X[:, 0]) + 2 * l2 * k
    grad_b = np.mean(2 * residual) + 0.01 * np.sign(b)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose([kernel[0, 0], bias[0]], [k - lr * grad_k, b - lr * grad_b])


def test_a_frozen_layer_adds_no_penalty_in_fit():
    frozen = regularized_linear(0.1, lr=0.0).layers[0]
    frozen.trainable = False
    head = nn.layers.Dense(1, dtype="float64", kernel_initializer="ones")
    model = nn.Sequential([frozen, head])
    model.compile(optimizer=nn.optimizers.SGD(0.0), loss="mse")
    history = model.fit(X, Y, verbose=0)
    assert history.history["loss"][0] == pytest.approx(
        np.mean((0.5 * X[:, 0] + 0.25 - Y) ** 2), rel=1e-12
    )


def test_weight_decay_from_l2_shrinks_an_unused_kernel_geometrically():
    """Inputs of 0 give the data loss no gradient on the kernel: each SGD step multiplies
    it by (1 - 2 lr l2), the penalty's own gradient."""
    model = regularized_linear(0.25, lr=0.1, kernel=2.0, bias=0.0)
    model.fit(np.zeros((4, 1)), np.zeros(4), batch_size=4, epochs=5, verbose=0)
    assert model.get_weights()[0][0, 0] == pytest.approx(2.0 * (1 - 2 * 0.1 * 0.25) ** 5)


def test_model_losses_lists_each_penalty_and_backpropagates_into_its_weight():
    model = regularized_linear(0.1, lr=0.0, kernel=-2.0, bias=0.5)
    values = model.losses
    assert [v.item() for v in values] == pytest.approx([0.1 * 4.0, 0.01 * 0.5])
    sum(values[1:], values[0]).backward()
    kernel, bias = model.layers[0].kernel, model.layers[0].bias
    np.testing.assert_allclose(kernel.grad, [[2 * 0.1 * -2.0]])
    np.testing.assert_allclose(bias.grad, [0.01])
    assert nn.Sequential([nn.layers.Dense(1, input_dim=1)]).losses == []
