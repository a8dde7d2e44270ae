"""Keras tutorial code runs unchanged with `import nn as keras`, and behaves as remembered."""

import re

import numpy as np
import pytest

import nn
import nn as keras

SUMMARY_20_32_32_1 = """\
Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
dense (Dense)                (None, 32)                672       
_________________________________________________________________
dense_1 (Dense)              (None, 32)                1056      
_________________________________________________________________
dense_2 (Dense)              (None, 1)                 33        
=================================================================
Total params: 1,761
Trainable params: 1,761
Non-trainable params: 0
_________________________________________________________________
"""

SUMMARY_2_3_1 = """\
Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
dense (Dense)                (None, 3)                 9         
_________________________________________________________________
activation (Activation)      (None, 3)                 0         
_________________________________________________________________
dense_1 (Dense)              (None, 1)                 4         
_________________________________________________________________
activation_1 (Activation)    (None, 1)                 0         
=================================================================
Total params: 13
Trainable params: 13
Non-trainable params: 0
_________________________________________________________________
"""


@pytest.fixture(autouse=True)
def fresh_session():
    nn.clear_session()  # model names restart at "sequential", as after keras' clear_session
    nn.utils.set_random_seed(0)


def test_snippet_1_linear_regression(capsys):
    model = keras.Sequential([keras.layers.Dense(units=1, input_shape=[1])])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    model.fit((1, 2, 3, 4, 5, 6, 7), (10000, 20000, 30000, 40000, 50000, 60000, 70000), epochs=500)
    prediction = model.predict([10])                  # about 100000
    weights = model.layers[0].get_weights()        # [kernel of shape (1, 1), bias of shape (1,)]

    assert prediction.shape == (1, 1)
    assert abs(prediction[0, 0] - 100_000) < 1_000  # 99,712 after 500 epochs (see below)
    assert [w.shape for w in weights] == [(1, 1), (1,)]
    assert weights[0].dtype == np.float32
    out = capsys.readouterr().out
    assert "Epoch 1/500\n" in out and "Epoch 500/500\n" in out
    assert re.search(r"^1/1 \[=+\] - \d+s \d+[mu]?s/step - loss: [\d.e+-]+$", out, re.M)


def test_snippet_1_is_stable_gradient_descent():
    """Why snippet 1 converges: full-batch GD on MSE is stable while lr < 2 / lambda_max.

    The Hessian of mean((w x + b - y)^2) over x = 1..7 is 2 [[mean x^2, mean x], [mean x, 1]]
    = 2 [[20, 4], [4, 1]]: eigenvalues 41.6 and 0.384, so lr = 0.01 < 2 / 41.6 = 0.048.
    The slow direction shrinks by (1 - 0.01 * 0.384)^500 = 0.146, hence 99,712 not 100,000.
    """
    x = np.arange(1, 8, dtype=np.float64)
    hessian = 2 * np.array([[np.mean(x**2), np.mean(x)], [np.mean(x), 1.0]])
    eigenvalues = np.linalg.eigvalsh(hessian)
    assert eigenvalues.max() == pytest.approx(41.6155, abs=1e-3)
    assert 0.01 < 2 / eigenvalues.max()
    model = keras.Sequential([keras.layers.Dense(units=1, input_shape=[1])])
    w, b = (a.astype(np.float64) for a in model.get_weights())
    model.compile(optimizer="sgd", loss="mean_squared_error")
    model.fit(x, 10000 * x, epochs=500, verbose=0)
    for _ in range(500):  # the same steps in float64 numpy
        residual = x * w[0, 0] + b[0] - 10000 * x
        w = w - 0.01 * np.array([[np.mean(2 * residual * x)]])
        b = b - 0.01 * np.array([np.mean(2 * residual)])
    kernel, bias = model.get_weights()
    assert kernel[0, 0] == pytest.approx(w[0, 0], rel=1e-4)
    assert bias[0] == pytest.approx(b[0], rel=1e-2)


def test_snippet_2_summary(capsys):
    m = keras.models.Sequential([
        keras.layers.Dense(32, activation='relu', input_shape=(20,)),
        keras.layers.Dense(32, activation='relu'),
        keras.layers.Dense(1, activation='sigmoid'),
    ])
    m.summary()                          # 672, 1056, 33 params; Total params: 1,761
    assert capsys.readouterr().out == SUMMARY_20_32_32_1


def _xor_blobs(n=200):
    generator = np.random.default_rng(7)
    X = generator.normal(size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X, y


def test_snippet_3_add_summary_fit(capsys):
    X, y = _xor_blobs()
    from nn.layers import Dense, Activation
    from nn.models import Sequential
    model = Sequential()
    model.add(Dense(3, input_dim=2)); model.add(Activation('tanh'))
    model.add(Dense(1)); model.add(Activation('sigmoid'))
    model.summary()                      # 9, 0, 4, 0; Total params: 13
    model.compile(optimizer='sgd', loss='binary_crossentropy', metrics=['acc'])
    history = model.fit(X, y, epochs=900)
    history.history['loss'], history.history['acc']

    out = capsys.readouterr().out
    assert out.startswith(SUMMARY_2_3_1)
    losses, accs = history.history["loss"], history.history["acc"]
    assert sorted(history.history) == ["acc", "loss"]
    assert len(losses) == len(accs) == 900 and history.epoch == list(range(900))
    assert losses[-1] < losses[0] - 0.1
    assert accs[-1] > max(0.7, accs[0]) and all(0.0 <= a <= 1.0 for a in accs)
    # one final progress line per epoch when stdout is not a terminal
    assert out.count("7/7 [==============================]") == 900
    last = out.rstrip().splitlines()[-1]
    assert re.fullmatch(r"7/7 \[=+\] - \d+s \d+[mu]?s/step - loss: \d\.\d{4} - acc: \d\.\d{4}", last)
    assert last.endswith(f"loss: {losses[-1]:.4f} - acc: {accs[-1]:.4f}")
