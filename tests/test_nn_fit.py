"""fit: History, validation, batching, progress output, reproducibility, NaN losses."""

import re
import sys

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.layers import Dense


@pytest.fixture(autouse=True)
def seeded():
    nn.clear_session()
    nn.utils.set_random_seed(0)


def data(n=64, seed=0):
    generator = np.random.default_rng(seed)
    x = generator.normal(size=(n, 3)).astype(np.float32)
    y = (x.sum(axis=1) > 0).astype(np.float32)
    return x, y


def classifier(metrics=("acc",), optimizer="adam"):
    model = nn.Sequential([Dense(8, activation="relu", input_shape=(3,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=list(metrics))
    return model


def test_history_has_loss_and_metrics_by_the_names_given():
    x, y = data()
    model = classifier(metrics=["acc", "mse"])
    history = model.fit(x, y, epochs=4, verbose=0)
    assert isinstance(history, nn.callbacks.History) and model.history is history
    assert list(history.history) == ["loss", "acc", "mse"]
    assert all(len(v) == 4 for v in history.history.values())
    assert history.epoch == [0, 1, 2, 3]
    assert all(isinstance(v, float) for v in history.history["loss"])


def test_epoch_loss_is_the_sample_weighted_mean_of_batch_losses():
    x, y = data(n=10)
    model = classifier(metrics=[], optimizer=nn.optimizers.SGD(learning_rate=0.0))
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0)  # batches of 4, 4, 2
    assert history.history["loss"][0] == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)


def test_validation_data_and_split_add_val_keys():
    x, y = data(n=50)
    model = classifier()
    history = model.fit(x, y, epochs=2, validation_data=(x[:10], y[:10]), verbose=0)
    assert list(history.history) == ["loss", "acc", "val_loss", "val_acc"]
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(x[:10], y[:10], verbose=0)[0], rel=1e-6)
    history = classifier().fit(x, y, epochs=1, validation_split=0.2, verbose=0)
    assert list(history.history) == ["loss", "acc", "val_loss", "val_acc"]


def test_validation_split_takes_the_last_samples_before_shuffling():
    x, y = data(n=10)
    seen = []

    class Spy(nn.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(batch)

    model = classifier()
    model.fit(x, y, batch_size=2, validation_split=0.2, epochs=1, verbose=0, callbacks=[Spy()])
    assert seen == [0, 1, 2, 3]  # 8 training samples in batches of 2
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(x, y, validation_split=1.5, verbose=0)


def test_one_dimensional_x_is_a_column_for_a_width_one_model():
    model = nn.Sequential([Dense(1, input_shape=[1])])
    model.compile(optimizer="sgd", loss="mse")
    model.fit([1, 2, 3], (2.0, 4.0, 6.0), epochs=2, verbose=0)
    assert model.predict([4], verbose=0).shape == (1, 1)
    assert model.predict((4, 5), verbose=0).shape == (2, 1)


def test_same_seed_gives_same_weights_and_history():
    x, y = data()
    runs = []
    for _ in range(2):
        nn.utils.set_random_seed(42)
        model = nn.Sequential([Dense(4, activation="relu", input_dim=3), nn.layers.Dropout(0.2), Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
        runs.append((model.get_weights(), history.history["loss"]))
    for a, b in zip(runs[0][0], runs[1][0]):
        np.testing.assert_array_equal(a, b)
    assert runs[0][1] == runs[1][1]


def test_shuffle_false_visits_batches_in_order():
    x, y = data(n=6)
    order = []

    class Spy(nn.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            order.append(batch)

    classifier().fit(x, y, batch_size=4, shuffle=False, epochs=2, verbose=0, callbacks=[Spy()])
    assert order == [0, 1, 0, 1]


def test_verbose_1_prints_epochs_and_a_final_bar_per_epoch(capsys):
    x, y = data(n=64)
    classifier().fit(x, y, epochs=2, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert re.fullmatch(r"2/2 \[={30}\] - \d+s \d+[mu]?s/step - loss: \d\.\d{4} - acc: \d\.\d{4}", lines[1])


def test_verbose_auto_is_1_and_one_epoch_prints_no_epoch_header(capsys):
    x, y = data(n=8)
    classifier().fit(x, y)
    out = capsys.readouterr().out
    assert "Epoch" not in out and out.startswith("1/1 [==============================] - ")


def test_verbose_2_prints_one_line_per_epoch(capsys):
    x, y = data(n=64)
    classifier().fit(x, y, epochs=2, verbose=2, validation_split=0.25)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and len(lines) == 4
    assert re.fullmatch(
        r"2/2 - \d+s - loss: \d\.\d{4} - acc: \d\.\d{4} - val_loss: \d\.\d{4} - val_acc: \d\.\d{4}"
        r" - \d+[mu]?s/epoch - \d+[mu]?s/step",
        lines[1],
    )


def test_verbose_0_prints_nothing(capsys):
    x, y = data()
    model = classifier()
    model.fit(x, y, epochs=3, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_live_bar_redraws_in_place_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    x, y = data(n=64)
    classifier().fit(x, y, batch_size=8, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert out.startswith("\r1/8 [==>" + "." * 27 + "] - ETA: ")
    final = out.split("\r")[-1]
    assert final.startswith("8/8 [==============================] - ") and final.endswith("\n")
    assert out.count("\n") == 1


def test_nan_loss_raises_naming_epoch_and_batch_and_keeps_weights_finite():
    model = nn.Sequential([Dense(1, input_shape=[1])])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=1.0), loss="mse")  # lr >> 2/41.6
    x = np.arange(1, 8)
    with pytest.raises(nn.NonFiniteLossError) as caught:
        model.fit(x, 10000 * x, epochs=100, verbose=0)
    error = caught.value
    message = str(error)
    assert re.search(rf"loss became (inf|nan) at epoch {error.epoch}/100, batch 1/1", message)
    assert "learning rate" in message and "TerminateOnNaN" in message
    assert 2 < error.epoch < 100 and error.batch == 1
    assert len(error.history.history["loss"]) == error.epoch - 1
    assert model.history is error.history
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_terminate_on_nan_stops_quietly_and_returns_the_history(capsys):
    model = nn.Sequential([Dense(1, input_shape=[1])])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=1.0), loss="mse")
    x = np.arange(1, 8)
    history = model.fit(x, 10000 * x, epochs=100, verbose=0, callbacks=[nn.callbacks.TerminateOnNaN()])
    out = capsys.readouterr().out
    epochs = len(history.history["loss"])
    assert out == f"Epoch {epochs}, batch 1: Invalid loss, terminating training\n"
    assert not np.isfinite(history.history["loss"][-1])
    assert np.isfinite(history.history["loss"][:-1]).all()
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_initial_epoch_and_zero_epochs():
    x, y = data()
    history = classifier().fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]
    assert classifier().fit(x, y, epochs=0, verbose=0).history == {}


def test_fit_accepts_tensors_lists_and_integer_labels():
    x, y = data(n=16)
    model = classifier()
    model.fit(Tensor(x), y.astype(int).tolist(), epochs=1, verbose=0)
    x3 = np.random.default_rng(0).normal(size=(30, 3))
    labels = np.random.default_rng(1).integers(0, 4, size=30)
    multi = nn.Sequential([Dense(4, activation="softmax", input_dim=3)])
    multi.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = multi.fit(x3, labels, epochs=2, verbose=0)
    assert 0 <= history.history["accuracy"][-1] <= 1


def test_train_on_batch_and_test_on_batch():
    x, y = data(n=16)
    model = classifier()
    loss, acc = model.train_on_batch(x, y)
    assert np.isfinite(loss) and 0 <= acc <= 1
    loss_after, _ = model.test_on_batch(x, y)
    assert loss_after < loss  # one Adam step on the same batch helps
    assert model.predict_on_batch(x).shape == (16, 1)


def test_fit_overhead_benchmark_runs():
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "fit_overhead.py"
    spec = importlib.util.spec_from_file_location("fit_overhead", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.bench_fit_overhead(epochs=1)
    assert set(result) == {"fit_s", "nn_loop_s", "raw_s", "ratio", "ratio_vs_nn_loop", "target",
                           "fit_jit_s", "raw_jit_s", "jit_ratio", "jit_speedup", "jit_target",
                           "fit_jit_run_s", "raw_jit_run_s", "jit_run_ratio", "run_epochs"}
    assert result["fit_s"] > 0 and result["raw_s"] > 0
    assert result["jit_run_ratio"] == result["fit_jit_run_s"] / result["raw_jit_run_s"]
    assert result["ratio"] == result["fit_s"] / result["raw_s"]
