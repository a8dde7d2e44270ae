"""SimpleRNN, LSTM, GRU and Bidirectional against numpy loops written from Keras' equations."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.backprop import walk
from nn.layers import GRU, LSTM, Bidirectional, Dense, Input, SimpleRNN

B, T, F, U = 3, 5, 4, 3  # batch, timesteps, features, units: small, so the loops are fast


@pytest.fixture(autouse=True)
def seeded():
    nn.utils.set_random_seed(0)


# ---------------------------------------------------------------------------------------
# numpy references: one timestep at a time, Keras' equations, float64


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def split(a, k):
    return np.split(a, k, axis=-1)


def reference(kind, weights, x, go_backwards=False, initial=None, in_masks=None, rec_masks=None):
    """(outputs in processing order, final states) of Keras' cell `kind` over x.

    `in_masks`/`rec_masks`: one dropout mask shared by the gates, or one per gate."""
    x = np.asarray(x, np.float64)
    W, Uk = (np.asarray(w, np.float64) for w in weights[:2])
    b = np.asarray(weights[2], np.float64) if len(weights) > 2 else None
    batch, steps, _ = x.shape
    units = Uk.shape[0]
    k = {"simple": 1, "lstm": 4, "gru": 3, "gru_before": 3}[kind]
    states = [np.zeros((batch, units)) for _ in range(2 if kind == "lstm" else 1)]
    if initial is not None:
        states = [np.asarray(s, np.float64) for s in initial]
    in_b, rec_b = b, None
    if b is not None and b.ndim == 2:  # GRU reset_after: input bias, recurrent bias
        in_b, rec_b = b[0], b[1]

    def gate_masks(masks):
        if masks is None:
            return [None] * k
        return list(masks) * k if len(masks) == 1 else list(masks)

    dps, rdps = gate_masks(in_masks), gate_masks(rec_masks)
    outputs = []
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    for t in order:
        xt, h = x[:, t], states[0]
        xs = [xt if m is None else xt * m for m in dps]  # the inputs each gate sees
        hs = [h if m is None else h * m for m in rdps]
        Ws, Us = split(W, k), split(Uk, k)
        bs = split(in_b, k) if in_b is not None else [0.0] * k
        proj = [xs[g] @ Ws[g] + bs[g] for g in range(k)]
        if kind == "simple":
            h = np.tanh(proj[0] + hs[0] @ Us[0])
            states = [h]
        elif kind == "lstm":
            i = sigmoid(proj[0] + hs[0] @ Us[0])
            f = sigmoid(proj[1] + hs[1] @ Us[1])
            c = f * states[1] + i * np.tanh(proj[2] + hs[2] @ Us[2])
            o = sigmoid(proj[3] + hs[3] @ Us[3])
            h = o * np.tanh(c)
            states = [h, c]
        elif kind == "gru":  # reset_after=True
            rbs = split(rec_b, 3) if rec_b is not None else [0.0] * 3
            z = sigmoid(proj[0] + hs[0] @ Us[0] + rbs[0])
            r = sigmoid(proj[1] + hs[1] @ Us[1] + rbs[1])
            hh = np.tanh(proj[2] + r * (hs[2] @ Us[2] + rbs[2]))
            h = z * h + (1 - z) * hh
            states = [h]
        else:  # gru, reset_after=False
            z = sigmoid(proj[0] + hs[0] @ Us[0])
            r = sigmoid(proj[1] + hs[1] @ Us[1])
            hh = np.tanh(proj[2] + (r * hs[2]) @ Us[2])
            h = z * h + (1 - z) * hh
            states = [h]
        outputs.append(h)
    return np.stack(outputs, axis=1), states


def make(kind, **kwargs):
    if kind == "simple":
        return SimpleRNN(U, **kwargs)
    if kind == "lstm":
        return LSTM(U, **kwargs)
    return GRU(U, reset_after=kind == "gru", **kwargs)


def random_weights(layer, rng, scale=0.6):
    return [rng.normal(0.0, scale, w.shape) for w in layer.get_weights()]


KINDS = ["simple", "lstm", "gru", "gru_before"]


def data(rng, batch=B, steps=T):
    return rng.normal(size=(batch, steps, F))


# ---------------------------------------------------------------------------------------
# (1) forward = reference


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "options",
    [{}, {"return_sequences": True}, {"return_state": True}, {"go_backwards": True},
     {"go_backwards": True, "return_sequences": True, "return_state": True}],
    ids=lambda o: "-".join(o) or "default",
)  # fmt: skip
@pytest.mark.parametrize("dtype, tol", [("float64", 1e-12), ("float32", 1e-5)])
def test_forward_matches_keras_equations(kind, options, dtype, tol):
    rng = np.random.default_rng(1)
    layer = make(kind, dtype=dtype, **options)
    layer.build((None, T, F))
    weights = random_weights(layer, rng)
    layer.set_weights(weights)
    x = data(rng)
    got = layer(x)
    outputs, states = reference(kind, weights, x, go_backwards=options.get("go_backwards", False))
    expected = outputs if options.get("return_sequences") else outputs[:, -1]
    if options.get("return_state"):
        assert isinstance(got, list) and len(got) == 1 + len(states)
        for g, e in zip(got, [expected, *states]):
            assert g.dtype == np.dtype(dtype)
            np.testing.assert_allclose(g.data, e, rtol=tol, atol=tol)
    else:
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_allclose(got.data, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("kind", KINDS)
def test_initial_state_and_no_bias(kind):
    rng = np.random.default_rng(2)
    layer = make(kind, dtype="float64", use_bias=False, return_state=True)
    layer.build((None, T, F))
    assert layer.weight_names == ["kernel", "recurrent_kernel"]
    weights = random_weights(layer, rng)
    layer.set_weights(weights)
    x = data(rng)
    initial = [rng.normal(size=(B, U)) for _ in range(2 if kind == "lstm" else 1)]
    got = layer(x, initial_state=initial)
    outputs, states = reference(kind, weights, x, initial=initial)
    for g, e in zip(got, [outputs[:, -1], *states]):
        np.testing.assert_allclose(g.data, e, rtol=1e-12, atol=1e-12)
    # the states are inputs of the graph: their gradients flow (encoder-decoder models)
    h0 = Tensor(initial[0], requires_grad=True)
    states_in = [h0, *initial[1:]]
    layer(x, initial_state=states_in)[0].sum().backward()
    assert h0.grad is not None and np.abs(h0.grad).sum() > 0


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_lstm_other_activations_take_the_general_path(activation):
    rng = np.random.default_rng(3)
    layer = LSTM(U, activation=activation, recurrent_activation="tanh", dtype="float64")
    layer.build((None, T, F))
    weights = random_weights(layer, rng)
    layer.set_weights(weights)
    x = data(rng)
    act = {"relu": lambda v: np.maximum(v, 0.0), "sigmoid": sigmoid}[activation]
    h, c = np.zeros((B, U)), np.zeros((B, U))
    W, Uk, b = weights
    for t in range(T):
        i, f, g, o = split(x[:, t] @ W + h @ Uk + b, 4)
        c = np.tanh(f) * c + np.tanh(i) * act(g)
        h = np.tanh(o) * act(c)
    np.testing.assert_allclose(layer(x).data, h, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_other_recurrent_activation_takes_the_general_path(reset_after):
    rng = np.random.default_rng(6)
    layer = GRU(U, recurrent_activation="tanh", reset_after=reset_after, dtype="float64")
    layer.build((None, T, F))
    weights = random_weights(layer, rng)
    layer.set_weights(weights)
    x = data(rng)
    W, Uk, b = weights
    h = np.zeros((B, U))
    for t in range(T):
        if reset_after:
            xz, xr, xh = split(x[:, t] @ W + b[0], 3)
            iz, ir, ih = split(h @ Uk + b[1], 3)
            z, r = np.tanh(xz + iz), np.tanh(xr + ir)
            hh = np.tanh(xh + r * ih)
        else:
            xz, xr, xh = split(x[:, t] @ W + b, 3)
            Uz, Ur, Uh = split(Uk, 3)
            z, r = np.tanh(xz + h @ Uz), np.tanh(xr + h @ Ur)
            hh = np.tanh(xh + (r * h) @ Uh)
        h = z * h + (1 - z) * hh
    np.testing.assert_allclose(layer(x).data, h, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kwargs, fused", [
    ({}, True),
    ({"go_backwards": True, "return_sequences": True}, True),
    ({"reset_after": False}, False),
    ({"use_bias": False}, False),
    ({"activation": "relu"}, False),
])
def test_gru_takes_the_fused_cell_exactly_for_keras3_defaults(kwargs, fused):
    # one gru_cell node per timestep for reset_after=True, tanh/sigmoid and a bias; anything
    # else composes the step; both give the layer's gradients (a training call, no dropout)
    layer = GRU(U, dtype="float64", **kwargs)
    x = Tensor(data(np.random.default_rng(8)), requires_grad=True)
    out = layer(x, training=True)
    ops = [n.op for n in walk(out)]
    assert ops.count("gru_cell") == (T if fused else 0)
    out.sum().backward()
    assert np.isfinite(x.grad).all() and np.abs(layer.recurrent_kernel.grad).max() > 0


@pytest.mark.parametrize("kind", KINDS)
def test_extreme_inputs_stay_finite_without_warnings(kind):
    layer = make(kind, return_sequences=True)
    x = Tensor(np.array([[[1e30, -1e30, 3e38, -3e38]] * T], dtype=np.float32), requires_grad=True)
    out = layer(x)
    out.sum().backward()
    assert np.isfinite(out.data).all() and np.isfinite(layer.recurrent_kernel.grad).all()


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_bidirectional_matches_two_references(kind, merge_mode):
    rng = np.random.default_rng(4)
    layer = Bidirectional(make(kind, return_sequences=True, dtype="float64"), merge_mode)
    layer.build((None, T, F))
    weights = random_weights(layer, rng)
    layer.set_weights(weights)
    half = len(weights) // 2
    x = data(rng)
    forward, _ = reference(kind, weights[:half], x)
    backward, _ = reference(kind, weights[half:], x, go_backwards=True)
    backward = backward[:, ::-1]  # back to forward time order, as Keras flips it
    expected = {
        "concat": lambda: np.concatenate([forward, backward], axis=-1),
        "sum": lambda: forward + backward,
        "mul": lambda: forward * backward,
        "ave": lambda: (forward + backward) / 2,
        None: lambda: [forward, backward],
    }[merge_mode]()
    got = layer(x)
    if merge_mode is None:
        assert isinstance(got, list) and len(got) == 2
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g.data, e, rtol=1e-12, atol=1e-12)
    else:
        np.testing.assert_allclose(got.data, expected, rtol=1e-12, atol=1e-12)
    assert layer.compute_output_shape((None, T, F)) == (
        ((None, T, U), (None, T, U)) if merge_mode is None
        else (None, T, 2 * U if merge_mode == "concat" else U)
    )  # fmt: skip


def test_bidirectional_states_and_last_outputs():
    rng = np.random.default_rng(5)
    layer = Bidirectional(LSTM(U, return_state=True, dtype="float64"))
    layer.build((None, T, F))
    weights = random_weights(layer, rng)
    layer.set_weights(weights)
    x = data(rng)
    out, fh, fc, bh, bc = layer(x)
    forward, (rfh, rfc) = reference("lstm", weights[:3], x)
    backward, (rbh, rbc) = reference("lstm", weights[3:], x, go_backwards=True)
    np.testing.assert_allclose(out.data, np.concatenate([forward[:, -1], backward[:, -1]], -1))
    for g, e in zip([fh, fc, bh, bc], [rfh, rfc, rbh, rbc]):
        np.testing.assert_allclose(g.data, e, rtol=1e-12, atol=1e-12)
    # initial_state: the first half to the forward layer, the second to the backward one
    initial = [rng.normal(size=(B, U)) for _ in range(4)]
    got = layer(x, initial_state=initial)
    _, (rfh, _) = reference("lstm", weights[:3], x, initial=initial[:2])
    _, (rbh, _) = reference("lstm", weights[3:], x, go_backwards=True, initial=initial[2:])
    np.testing.assert_allclose(got[1].data, rfh, rtol=1e-12)
    np.testing.assert_allclose(got[3].data, rbh, rtol=1e-12)


# ---------------------------------------------------------------------------------------
# weights, names, shapes, defaults


def test_weight_layout_defaults_and_names():
    lstm = LSTM(U, input_shape=(T, F))
    kernel, recurrent, bias = lstm.get_weights()
    assert lstm.weight_names == ["kernel", "recurrent_kernel", "bias"]
    assert kernel.shape == (F, 4 * U) and recurrent.shape == (U, 4 * U) and bias.shape == (4 * U,)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(U), np.ones(U), np.zeros(2 * U)])
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(U), atol=1e-6)  # orthogonal
    assert not LSTM(U, unit_forget_bias=False, input_shape=(T, F)).get_weights()[2].any()
    gru = GRU(U, input_shape=(T, F))
    assert [w.shape for w in gru.get_weights()] == [(F, 3 * U), (U, 3 * U), (2, 3 * U)]
    gru_before = GRU(U, reset_after=False, input_shape=(T, F))
    assert gru_before.get_weights()[2].shape == (3 * U,)
    simple = SimpleRNN(U, input_shape=(T, F))
    assert [w.shape for w in simple.get_weights()] == [(F, U), (U, U), (U,)]
    assert [lay.name for lay in (simple, lstm, gru)] == ["simple_rnn", "lstm", "gru"]
    wrapper = Bidirectional(LSTM(U), input_shape=(T, F))
    assert wrapper.name == "bidirectional" and wrapper.built
    assert wrapper.forward_layer.name == "forward_lstm"
    assert wrapper.backward_layer.name == "backward_lstm" and wrapper.backward_layer.go_backwards
    assert wrapper.weight_names == [
        f"{d}_lstm/{w}" for d in ("forward", "backward")
        for w in ("kernel", "recurrent_kernel", "bias")
    ]  # fmt: skip
    config = lstm.get_config()
    assert config["units"] == U and config["activation"] == "tanh"
    assert config["recurrent_activation"] == "sigmoid" and config["unit_forget_bias"]
    assert config["recurrent_initializer"] == "orthogonal" and not config["stateful"]
    assert GRU(U).get_config()["reset_after"] is True


def test_bidirectional_copies_are_fresh_and_keep_arguments():
    inner = GRU(U, activation="relu", kernel_initializer="ones", return_sequences=True)
    inner(np.ones((1, T, F)))  # built: the copies still get fresh weights of their own
    wrapper = Bidirectional(inner)
    wrapper(np.ones((1, T, F)))
    for copy in (wrapper.forward_layer, wrapper.backward_layer):
        assert copy is not inner and copy.activation is inner.activation
        assert copy.return_sequences and copy.reset_after
        assert copy.kernel is not inner.kernel
        np.testing.assert_array_equal(copy.kernel.data, np.ones((F, 3 * U)))
    custom = LSTM(U, go_backwards=True, name="back")
    wrapper = Bidirectional(LSTM(U), backward_layer=custom)
    assert wrapper.backward_layer is custom
    wrapper(np.ones((2, T, F)))
    assert wrapper.weight_names[3] == "back/kernel"


def test_summary_shows_keras_shapes_and_counts():
    model = nn.Sequential(
        [
            Input(shape=(20, 8)),
            LSTM(32, return_sequences=True),
            Bidirectional(GRU(16, return_sequences=True)),
            SimpleRNN(8),
            Dense(1),
        ]
    )
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "lstm (LSTM)" in text and "(None, 20, 32)" in text
    assert "bidirectional (Bidirectional" in text  # Keras 2's layout cuts the column
    assert "simple_rnn (SimpleRNN)" in text and "(None, 8)" in text
    rows = {line.split()[0]: line.split()[-1] for line in lines if "(None" in line}
    assert "(None, 20, 32)" in next(line for line in lines if "bidirectional" in line)
    assert rows["lstm"] == "5248"  # 4 * 32 * (8 + 32 + 1)
    assert rows["bidirectional"] == str(2 * 3 * 16 * (32 + 16 + 2))  # reset_after: 2 bias rows
    assert rows["simple_rnn"] == str(8 * (32 + 8 + 1))  # 328
    assert LSTM(32, input_shape=(20, 8)).count_params() == 5248


# ---------------------------------------------------------------------------------------
# (4) bad input


def test_bad_input_raises_value_errors_quoting_what_was_received():
    with pytest.raises(ValueError, match=r"expected ndim=3.*found ndim=2.*\(None, 4\)"):
        LSTM(U)(np.ones((2, 4)))
    layer = LSTM(U)
    layer(np.ones((2, T, F)))
    with pytest.raises(ValueError, match=r"axis -1 .* value 4, but received input with shape "):
        layer(np.ones((2, T, F + 1)))
    with pytest.raises(ValueError, match=r"expected ndim=3.*found ndim=2.*\(2, 4\)"):
        layer(np.ones((2, F)))
    with pytest.raises(ValueError, match="units to be a positive integer, received units=0"):
        GRU(0)
    with pytest.raises(ValueError, match="units to be a positive integer, received units=2.5"):
        SimpleRNN(2.5)
    with pytest.raises(ValueError, match="Unknown activation identifier 'tanhh'"):
        LSTM(U, activation="tanhh")
    with pytest.raises(ValueError, match="Unknown activation identifier 'sigmod'"):
        GRU(U, recurrent_activation="sigmod")
    with pytest.raises(ValueError, match="stateful=True"):
        LSTM(U, stateful=True)
    with pytest.raises(ValueError, match=r"dropout to be a number in \[0, 1\), received 1.5"):
        LSTM(U, dropout=1.5)
    with pytest.raises(ValueError, match="initial_state to hold 2 state"):
        layer(np.ones((2, T, F)), initial_state=[np.zeros((2, U))])
    with pytest.raises(ValueError, match=r"shape \(2, 3\), received a state of shape \(2, 5\)"):
        layer(np.ones((2, T, F)), initial_state=[np.zeros((2, 5)), np.zeros((2, 5))])
    with pytest.raises(ValueError, match="at least one timestep"):
        layer(np.ones((2, 0, F)))
    with pytest.raises(ValueError, match="recurrent layer instance.*Dense"):
        Bidirectional(Dense(3))
    with pytest.raises(ValueError, match="merge_mode in .*received merge_mode='max'"):
        Bidirectional(LSTM(U), merge_mode="max")
    with pytest.raises(ValueError, match="different go_backwards"):
        Bidirectional(LSTM(U), backward_layer=LSTM(U))
    with pytest.raises(ValueError, match="same return_sequences"):
        Bidirectional(LSTM(U), backward_layer=LSTM(U, go_backwards=True, return_sequences=True))
