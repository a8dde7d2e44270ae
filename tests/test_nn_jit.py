"""Issue 18: compile(jit_compile=True) gives exactly the eager results, for every layer kind.

Every model here runs as a replayed plan, without falling back: Dropout's masks (also LSTM's),
BatchNormalization's moving statistics and Embedding's checked ids are replayed calls
(autograd.tracing.replayed), drawn or stored afresh on every step, in the eager order, so
the random stream and every number stay those of eager training.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn

L = nn.layers

CASES = {
    "dense": (lambda: [L.Dense(8, activation="relu", input_dim=4), L.Dense(3)], (4,), None),
    "conv": (lambda: [L.Input(shape=(6, 6, 1)), L.Conv2D(3, 3, activation="tanh"),
                      L.MaxPooling2D(), L.Flatten(), L.Dense(3)], (6, 6, 1), None),
    "conv1d": (lambda: [L.Input(shape=(7, 2)), L.Conv1D(3, 3, padding="same"),
                        L.GlobalAveragePooling1D(), L.Dense(3)], (7, 2), None),
    "lstm": (lambda: [L.Input(shape=(5, 2)), L.LSTM(4), L.Dense(3)], (5, 2), None),
    "gru": (lambda: [L.Input(shape=(5, 2)), L.GRU(4, return_sequences=True), L.Flatten(),
                     L.Dense(3)], (5, 2), None),
    "simple_rnn": (lambda: [L.Input(shape=(5, 2)), L.SimpleRNN(4), L.Dense(3)], (5, 2), None),
    "layer_norm": (lambda: [L.Dense(6, input_dim=4), L.LayerNormalization(), L.Dense(3)], (4,),
                   None),
    "dropout": (lambda: [L.Dense(8, input_dim=4), L.Dropout(0.5), L.Dense(3)], (4,), None),
    "seeded_dropout": (lambda: [L.Dense(8, input_dim=4), L.Dropout(0.3, seed=5), L.Dense(3)],
                       (4,), None),
    "batch_norm": (lambda: [L.Dense(8, input_dim=4), L.BatchNormalization(), L.Dense(3)], (4,),
                   None),
    "lstm_dropout": (lambda: [L.Input(shape=(5, 2)), L.LSTM(4, dropout=0.2,
                                                           recurrent_dropout=0.3), L.Dense(3)],
                     (5, 2), None),
    "embedding": (lambda: [L.Input(shape=(5,)), L.Embedding(7, 3), L.Flatten(), L.Dense(3)],
                  "ids", None),
}


def _train(make, shape, jit_compile):
    nn.utils.set_random_seed(3)
    model = nn.Sequential(make())
    model.compile(optimizer="adam", metrics=["acc"], jit_compile=jit_compile,
                  loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    x = (rng.integers(0, 7, (24, 5)) if shape == "ids" else rng.normal(size=(24, *shape)))
    x = x.astype(np.float32)
    y = np.arange(24) % 3
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, epochs=2, batch_size=8, verbose=0).history
        scores = model.evaluate(x, y, verbose=0)
        outputs = model.predict(x, verbose=0)
        single = model.train_on_batch(x[:8], y[:8])
    return history, scores, outputs, single, model.get_weights(), [str(w.message) for w in caught]


@pytest.mark.parametrize("name", list(CASES))
def test_jit_compile_gives_the_eager_numbers(name: str) -> None:
    make, shape, fallback = CASES[name]
    eager = _train(make, shape, False)
    jitted = _train(make, shape, True)
    assert eager[0] == jitted[0] and eager[1] == jitted[1] and eager[3] == jitted[3]
    np.testing.assert_array_equal(eager[2], jitted[2])
    for a, b in zip(eager[4], jitted[4]):
        np.testing.assert_array_equal(a, b)
    assert eager[5] == []
    if fallback is None:
        assert jitted[5] == [], jitted[5]
    else:  # one warning for the training call, saying why (inference may still be traced)
        assert len(jitted[5]) == 1 and fallback in jitted[5][0], jitted[5]


def test_a_jitted_fit_replays_one_node_per_batch() -> None:
    make, _, _ = CASES["dense"]
    nn.utils.set_random_seed(0)
    model = nn.Sequential(make())
    model.compile(optimizer="sgd", loss="mse", jit_compile=True)
    model.fit(np.ones((16, 4), np.float32), np.ones((16, 3), np.float32), batch_size=4,
              epochs=2, verbose=0)
    ((traced, _single),) = model._jit_steps.values()  # the whole step: one plan
    assert traced.traces == 1 and traced.eager_because is None
    plan = next(iter(traced.plans.values()))
    assert plan.ops[-2:] == ["backward", "effect _update_if_finite"]
    assert model(np.ones((4, 4), np.float32)).op != "jit"  # a direct call stays eager
    from nn.compiled import forward

    batch = np.ones((4, 4), np.float32)
    assert forward(model, batch, training=True).op != "jit"  # its first call: the trace
    assert forward(model, batch, training=True).op == "jit"


def test_jit_compile_takes_keras_values_and_refuses_others() -> None:
    model = nn.Sequential([L.Dense(1, input_dim=2)])
    for value, on in ((True, True), (False, False), ("auto", False)):
        model.compile(loss="mse", jit_compile=value)
        assert model._jit_compile is on
    with pytest.raises(ValueError, match="jit_compile must be True, False or 'auto', received 'yes'"):
        model.compile(loss="mse", jit_compile="yes")


def _two_inputs(jit_compile):
    nn.utils.set_random_seed(4)
    a, b = nn.Input(shape=(3,), name="a"), nn.Input(shape=(2,), name="b")
    shared = L.Dense(4, activation="tanh")
    merged = L.concatenate([shared(L.Dense(4)(a)), shared(L.Dense(4)(b))])
    model = nn.Model([a, b], L.Dense(1)(L.Dropout(0.2)(merged)))
    model.compile(optimizer="adam", loss="mse", jit_compile=jit_compile)
    rng = np.random.default_rng(1)
    xa, xb = rng.normal(size=(32, 3)), rng.normal(size=(32, 2))
    y = rng.normal(size=(32, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = model.fit([xa, xb], y, batch_size=8, epochs=2, verbose=0).history
        out = model.predict([xa, xb], verbose=0)
    return model, history, out, model.get_weights()


def test_a_functional_model_with_two_inputs_runs_as_a_plan_with_the_eager_numbers() -> None:
    _, h1, out1, w1 = _two_inputs(False)
    model, h2, out2, w2 = _two_inputs(True)
    assert h1 == h2
    np.testing.assert_array_equal(out1, out2)
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    assert all(t.eager_because is None and t.traces == 1 for t in model._jit_plans.values())
    assert all(t.eager_because is None and t.traces == 1 for t, _ in model._jit_steps.values())


LOSSES = ["mse", "mae", "huber", "hinge", "binary_crossentropy", "categorical_crossentropy",
          "sparse_categorical_crossentropy"]


def _fit_with(loss, jit_compile, weighted):
    nn.utils.set_random_seed(2)
    sparse = loss == "sparse_categorical_crossentropy"
    out = 3 if loss.startswith(("categorical", "sparse")) else 1
    last = "softmax" if out == 3 else "sigmoid"
    model = nn.Sequential([L.Dense(6, activation="tanh", input_dim=4,
                                   kernel_regularizer=nn.regularizers.L2(0.01)),
                           L.Dense(out, activation=last)])
    model.compile(optimizer="rmsprop", loss=loss, metrics=["accuracy" if out == 3 else "mae"],
                  jit_compile=jit_compile)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(20, 4)).astype(np.float32)
    y = (np.arange(20) % 3 if sparse else np.eye(3)[np.arange(20) % 3] if out == 3
         else (np.arange(20) % 2).reshape(-1, 1))
    sw = rng.uniform(0.5, 2.0, 20) if weighted else None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = model.fit(x, y, sample_weight=sw, batch_size=6, epochs=3, verbose=0).history
    return history, model.get_weights(), model


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "sample_weight"])
@pytest.mark.parametrize("loss", LOSSES)
def test_a_jitted_fit_step_replays_each_loss_labels_and_weights_exactly(loss, weighted) -> None:
    eager, eager_w, _ = _fit_with(loss, False, weighted)
    jitted, jit_w, model = _fit_with(loss, True, weighted)  # no warning: no fallback
    assert eager == jitted
    for a, b in zip(eager_w, jit_w):
        np.testing.assert_array_equal(a, b)
    steps = [t for t, _ in model._jit_steps.values()]
    assert steps and all(t.eager_because is None for t in steps)
    assert all(p.skip is not None for t in steps for p in t.plans.values())  # whole steps


def test_a_jitted_step_checks_every_batch_s_labels() -> None:
    model = nn.Sequential([L.Dense(3, input_dim=2)])
    model.compile(optimizer="sgd", jit_compile=True,
                  loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.ones((4, 2), np.float32)
    for _ in range(4):  # traced, checked, replayed
        model.train_on_batch(x, np.array([0, 1, 2, 0]))
    before = model.get_weights()
    for bad in ([0, 1, 3, 0], [0, -1, 2, 0]):  # a 3 would pick the next row's first logit
        with pytest.raises(ValueError, match="labels must"):
            model.train_on_batch(x, np.array(bad))
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)  # nothing was applied


def test_a_non_finite_loss_under_jit_stops_fit_with_the_weights_untouched() -> None:
    def run(jit_compile):
        model = nn.Sequential([L.Dense(1, input_dim=1, kernel_initializer="ones")])
        model.compile(optimizer=nn.optimizers.SGD(0.1), loss="mse", jit_compile=jit_compile)
        x = np.ones((12, 1), np.float32)
        x[9] = 1e30  # its square overflows float32: the fourth batch's loss is inf
        y = np.ones((12, 1), np.float32)
        with pytest.raises(nn.NonFiniteLossError) as caught, np.errstate(over="ignore"):
            model.fit(x, y, batch_size=3, epochs=1, verbose=0, shuffle=False)
        return caught.value.batch, model.get_weights()

    (eager_batch, eager_w), (jit_batch, jit_w) = run(False), run(True)
    assert eager_batch == jit_batch == 4
    for a, b in zip(eager_w, jit_w):
        np.testing.assert_array_equal(a, b)
