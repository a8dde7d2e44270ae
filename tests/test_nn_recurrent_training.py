"""Recurrent layers in training: SGD steps against finite differences of numpy loops, weight
files, long sequences, learning, and Keras' dropout masks."""

from __future__ import annotations

import os

import numpy as np
import pytest
from test_nn_recurrent import KINDS, B, F, T, U, data, make, random_weights, reference

import nn
from autograd import Tensor
from nn.layers import GRU, LSTM, Bidirectional, Dense, SimpleRNN


@pytest.fixture(autouse=True)
def seeded():
    nn.utils.set_random_seed(0)


def numeric_gradients(loss, weights, eps=1e-6):
    """Central differences of `loss(weights)` with respect to every weight element."""
    grads = []
    for w in weights:
        g = np.zeros_like(w)
        for index in np.ndindex(w.shape):
            saved = w[index]
            w[index] = saved + eps
            up = loss(weights)
            w[index] = saved - eps
            down = loss(weights)
            w[index] = saved
            g[index] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


# ---------------------------------------------------------------------------------------
# (2) one SGD step = w - lr * dL/dw, dL/dw by central differences of the numpy reference


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sequences", [False, True])
def test_sgd_step_moves_every_weight_by_the_reference_gradient(kind, sequences):
    rng = np.random.default_rng(10)
    layer = make(kind, dtype="float64", return_sequences=sequences, go_backwards=sequences)
    model = nn.Sequential([layer], name="m")
    model.build((None, T, F))
    weights = random_weights(layer, rng)
    model.set_weights(weights)
    x = data(rng)
    y = rng.normal(size=(B, T, U) if sequences else (B, U))

    def loss(ws):  # Keras' mse: the mean over every element here
        outputs, _ = reference(kind, ws, x, go_backwards=sequences)
        return np.mean((outputs - y) ** 2) if sequences else np.mean((outputs[:, -1] - y) ** 2)

    expected = [w - 0.1 * g for w, g in zip(weights, numeric_gradients(loss, weights))]
    model.compile(optimizer=nn.optimizers.SGD(0.1), loss="mse")
    before = model.train_on_batch(x, y)
    assert float(before) == pytest.approx(loss(weights), rel=1e-12)
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)


def test_sgd_step_through_bidirectional_concat():
    rng = np.random.default_rng(11)
    wrapper = Bidirectional(LSTM(2, dtype="float64"))
    model = nn.Sequential([wrapper])
    model.build((None, 3, F))
    weights = random_weights(wrapper, rng)
    model.set_weights(weights)
    x, y = rng.normal(size=(2, 3, F)), rng.normal(size=(2, 4))

    def loss(ws):
        forward, _ = reference("lstm", ws[:3], x)
        backward, _ = reference("lstm", ws[3:], x, go_backwards=True)
        out = np.concatenate([forward[:, -1], backward[:, -1]], axis=-1)
        return np.mean((out - y) ** 2)

    expected = [w - 0.1 * g for w, g in zip(weights, numeric_gradients(loss, weights))]
    model.compile(optimizer=nn.optimizers.SGD(0.1), loss="mse")
    model.train_on_batch(x, y)
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------------------------------
# (3) weights round-trip bit-exactly


def build_model():
    return nn.Sequential(
        [
            LSTM(4, return_sequences=True, input_shape=(T, F)),
            Bidirectional(GRU(3, return_sequences=True)),
            Bidirectional(SimpleRNN(2), merge_mode="sum"),
            Dense(1),
        ]
    )


def test_get_set_and_save_load_weights_round_trip_bit_exactly(tmp_path):
    model = build_model()
    x = data(np.random.default_rng(12), steps=T).astype(np.float32)
    expected = model.predict(x, verbose=0)
    path = os.fspath(tmp_path / "rnn.weights.npz")
    model.save_weights(path)
    keys = set(np.load(path).files)
    assert {
        "lstm/recurrent_kernel",
        "bidirectional/forward_gru/bias",
        "bidirectional/backward_gru/kernel",
        "bidirectional_1/backward_simple_rnn/bias",
    } <= keys
    assert len(keys) == 3 + 6 + 6 + 2
    nn.utils.set_random_seed(1)
    fresh = build_model()
    assert not np.array_equal(fresh.predict(x, verbose=0), expected)
    fresh.load_weights(path)
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), expected)
    other = build_model()
    other.set_weights(model.get_weights())
    np.testing.assert_array_equal(other.predict(x, verbose=0), expected)


# ---------------------------------------------------------------------------------------
# (5) long sequences backpropagate (the loop is unrolled on the engine)


@pytest.mark.parametrize("layer_class", [LSTM, GRU, SimpleRNN])
def test_a_150_step_sequence_backpropagates_to_its_first_step(layer_class):
    rng = np.random.default_rng(13)
    layer = layer_class(4, dtype="float64")
    x = Tensor(rng.normal(size=(2, 150, 3)), requires_grad=True)
    layer(x).sum().backward()
    assert x.grad.shape == (2, 150, 3) and np.isfinite(x.grad).all()
    assert np.abs(x.grad[:, -1]).sum() > 0
    assert layer.kernel.grad is not None and np.isfinite(layer.recurrent_kernel.grad).all()
    # the first step's gradient, by central differences of the layer itself
    bumped = x.data.copy()
    bumped[0, 0, 0] += 1e-6
    up = layer(bumped).data.sum()
    bumped[0, 0, 0] -= 2e-6
    down = layer(bumped).data.sum()
    assert x.grad[0, 0, 0] == pytest.approx((up - down) / 2e-6, rel=1e-4, abs=1e-10)


# ---------------------------------------------------------------------------------------
# (6) an LSTM learns a tiny sequence task


def test_lstm_model_learns_to_remember_the_first_step():
    rng = np.random.default_rng(14)
    x = rng.uniform(-1, 1, size=(64, 6, 2)).astype(np.float32)
    y = x[:, 0, :1] - x[:, 0, 1:]  # depends on the first timestep only: it must be carried
    model = nn.Sequential([LSTM(8, input_shape=(6, 2)), Dense(1)])
    model.compile(optimizer=nn.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=25, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.25 * losses[0], losses


# ---------------------------------------------------------------------------------------
# dropout: Keras' masks, one per sequence, only while training


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rates", [(0.4, 0.0), (0.4, 0.3), (0.0, 0.3)])
def test_dropout_masks_enter_as_keras_applies_them(kind, rates):
    rng = np.random.default_rng(15)
    layer = make(kind, dtype="float64", dropout=rates[0], recurrent_dropout=rates[1], seed=3)
    layer.build((None, T, F))
    weights = random_weights(layer, rng)
    layer.set_weights(weights)
    x = data(rng)
    drawn = []
    original = layer._draw_masks

    def recording(*args):
        drawn.append(original(*args))
        return drawn[-1]

    layer._draw_masks = recording
    got = layer(x, training=True).data
    in_masks, rec_masks = drawn[0]
    if in_masks is not None:  # drawn (batch, 1, features): one per sequence, every timestep
        assert all(m.shape == (B, 1, F) for m in in_masks)
        in_masks = [m[:, 0, :] for m in in_masks]
    gates = layer.gates if rates[1] > 0 else 1  # one mask per gate with recurrent dropout
    for masks, rate, width in ((in_masks, rates[0], F), (rec_masks, rates[1], U)):
        if rate == 0.0:
            assert masks is None
            continue
        assert len(masks) == gates and all(m.shape == (B, width) for m in masks)
        assert set(np.unique(np.concatenate(masks))) <= {0.0, 1 / (1 - rate)}
    outputs, _ = reference(kind, weights, x, in_masks=in_masks, rec_masks=rec_masks)
    np.testing.assert_allclose(got, outputs[:, -1], rtol=1e-12, atol=1e-12)
    # outside training (predict, a plain call) no dropout at all
    np.testing.assert_allclose(layer(x).data, reference(kind, weights, x)[0][:, -1], rtol=1e-12)


def test_dropout_mask_is_one_per_sequence_and_seeded():
    # an identity SimpleRNN shows the mask: output_t = x_t * mask, the same mask every step
    layer = SimpleRNN(F, activation=None, dropout=0.5, return_sequences=True, dtype="float64",
                      seed=7)  # fmt: skip
    layer.build((None, T, F))
    layer.set_weights([np.eye(F), np.zeros((F, F)), np.zeros(F)])
    x = np.ones((8, T, F))
    out = layer(x, training=True).data
    assert set(np.unique(out)) == {0.0, 2.0}
    np.testing.assert_array_equal(out, np.repeat(out[:, :1], T, axis=1))
    assert len({tuple(row) for row in out[:, 0]}) > 1  # each sequence draws its own mask
    again = SimpleRNN(F, activation=None, dropout=0.5, return_sequences=True, dtype="float64",
                      seed=7)  # fmt: skip
    again.build((None, T, F))
    again.set_weights(layer.get_weights())
    np.testing.assert_array_equal(again(x, training=True).data, out)
    np.testing.assert_array_equal(layer(x).data, x)  # not training: untouched


def test_fit_with_dropout_trains():
    rng = np.random.default_rng(16)
    x = rng.normal(size=(32, 4, 3)).astype(np.float32)
    y = x.sum(axis=(1, 2))[:, None]
    model = nn.Sequential(
        [GRU(6, dropout=0.2, recurrent_dropout=0.2, input_shape=(4, 3)), Dense(1)]
    )
    model.compile(optimizer=nn.optimizers.Adam(0.02), loss="mse")
    losses = model.fit(x, y, batch_size=8, epochs=10, verbose=0).history["loss"]
    assert losses[-1] < losses[0] and np.isfinite(losses).all()
