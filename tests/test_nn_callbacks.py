"""Callbacks: hook order, EarlyStopping, TerminateOnNaN, LambdaCallback, History.plot."""

import sys
import types

import numpy as np
import pytest

import nn
from nn.callbacks import Callback, EarlyStopping, History, LambdaCallback
from nn.layers import Dense


@pytest.fixture(autouse=True)
def seeded():
    nn.utils.set_random_seed(0)


def regression(lr=0.05):
    model = nn.Sequential([Dense(1, input_dim=2)])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=lr), loss="mse", metrics=["mae"])
    return model


def xy(n=20):
    x = np.random.default_rng(0).normal(size=(n, 2))
    return x, x @ np.array([1.0, -2.0]) + 0.5


HOOKS = [name for name in dir(Callback) if name.startswith("on_")]


class Recorder(Callback):
    """Overrides every hook (so fit calls even the per-batch ones) and records the calls."""

    def __init__(self):
        super().__init__()
        self.calls = []


def _recording(name):
    def hook(self, *args):
        first = args[0] if args else None
        self.calls.append(name if first is None or isinstance(first, dict) else f"{name}({first})")

    return hook


for _name in HOOKS:
    setattr(Recorder, _name, _recording(_name))


def test_hooks_run_in_keras_order_with_model_and_params():
    x, y = xy(n=6)
    recorder = Recorder()
    model = regression()
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, validation_data=(x, y), callbacks=[recorder])
    assert recorder.calls == [
        "on_train_begin",
        "on_epoch_begin(0)",
        "on_train_batch_begin(0)",
        "on_train_batch_end(0)",
        "on_train_batch_begin(1)",
        "on_train_batch_end(1)",
        "on_test_begin",
        "on_test_end",
        "on_epoch_end(0)",
        "on_epoch_begin(1)",
        "on_train_batch_begin(0)",
        "on_train_batch_end(0)",
        "on_train_batch_begin(1)",
        "on_train_batch_end(1)",
        "on_test_begin",
        "on_test_end",
        "on_epoch_end(1)",
        "on_train_end",
    ]
    assert recorder.model is model
    assert recorder.params["epochs"] == 2 and recorder.params["steps"] == 2
    assert recorder.params["metrics"] == ["loss", "mae", "val_loss", "val_mae"]


def test_batch_logs_hold_running_means_and_epoch_logs_the_epoch_means():
    x, y = xy(n=8)
    batch_logs, epoch_logs = [], []

    class Spy(Callback):
        def on_train_batch_end(self, batch, logs=None):
            batch_logs.append(dict(logs))

        def on_epoch_end(self, epoch, logs=None):
            epoch_logs.append(dict(logs))

    history = regression().fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[Spy()])
    assert set(batch_logs[0]) == {"loss", "mae"}
    assert batch_logs[-1] == pytest.approx(epoch_logs[0])
    assert epoch_logs[0]["loss"] == history.history["loss"][0]


def test_stop_training_from_a_callback_ends_after_the_batch():
    x, y = xy()

    class StopAtBatch(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    history = regression().fit(x, y, batch_size=4, epochs=10, verbose=0, callbacks=[StopAtBatch()])
    assert history.epoch == [0]


def test_early_stopping_waits_patience_epochs():
    x, y = xy()
    losses = iter([5.0, 4.0, 4.5, 4.2, 4.1, 3.0, 2.0])

    class FakeValLoss(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(losses)

    stopper = EarlyStopping(monitor="val_loss", patience=2)
    model = regression()
    history = model.fit(
        x, y, epochs=7, verbose=0, validation_data=(x, y), callbacks=[FakeValLoss(), stopper]
    )
    # best 4.0 at epoch 1; epochs 2 and 3 do not improve: stop after epoch 3
    assert history.epoch == [0, 1, 2, 3]
    assert stopper.stopped_epoch == 3 and stopper.best == 4.0 and stopper.best_epoch == 1


def test_early_stopping_restores_the_best_weights():
    x, y = xy()
    snapshots = []
    scores = iter([1.0, 0.5, 0.9, 0.8, 0.7])

    class Score(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(scores)
            snapshots.append(self.model.get_weights())

    model = regression()
    stopper = EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    model.fit(x, y, epochs=5, verbose=0, validation_data=(x, y), callbacks=[Score(), stopper])
    assert stopper.stopped_epoch == 3
    for restored, best in zip(model.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(restored, best)


def test_early_stopping_mode_auto_maximizes_accuracy_and_min_delta():
    assert EarlyStopping(monitor="val_acc").mode == "max"
    assert EarlyStopping(monitor="val_accuracy").mode == "max"
    assert EarlyStopping(monitor="loss").mode == "min"
    stopper = EarlyStopping(monitor="loss", min_delta=0.5, patience=0)
    stopper.set_params({"metrics": ["loss"]})
    stopper.set_model(regression())
    stopper.on_train_begin()
    stopper.on_epoch_end(0, {"loss": 3.0})
    stopper.on_epoch_end(1, {"loss": 2.8})  # improved by less than min_delta
    assert stopper.model.stop_training and stopper.stopped_epoch == 1
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="biggest")


def test_early_stopping_on_a_quantity_fit_will_not_report_fails_before_training():
    x, y = xy()
    model = regression()
    before = model.get_weights()
    with pytest.raises(
        ValueError, match=r"monitors 'val_loss'.*available: loss, mae.*validation_data"
    ):
        model.fit(x, y, epochs=3, verbose=0, callbacks=[EarlyStopping()])
    np.testing.assert_array_equal(before[0], model.get_weights()[0])


def test_early_stopping_prints_when_verbose(capsys):
    x, y = xy()
    scores = iter([1.0, 2.0, 3.0])

    class Worse(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(scores)

    regression().fit(
        x,
        y,
        epochs=3,
        verbose=0,
        validation_data=(x, y),
        callbacks=[Worse(), EarlyStopping(patience=1, verbose=1)],
    )
    # epoch 1 (the second) is the first without improvement; patience=1 stops there
    assert capsys.readouterr().out == "Epoch 2: early stopping\n"


def test_lambda_callback():
    x, y = xy()
    ends = []
    callback = LambdaCallback(on_epoch_end=lambda epoch, logs: ends.append(round(logs["loss"], 6)))
    history = regression().fit(x, y, epochs=3, verbose=0, callbacks=[callback])
    assert ends == [round(v, 6) for v in history.history["loss"]]
    with pytest.raises(ValueError, match="unknown hook 'on_epoch_finish'"):
        LambdaCallback(on_epoch_finish=print)


def test_callbacks_must_be_instances():
    x, y = xy()
    with pytest.raises(TypeError, match="write EarlyStopping\\(\\)"):
        regression().fit(x, y, verbose=0, callbacks=[EarlyStopping])
    with pytest.raises(TypeError, match="Callback instances"):
        regression().fit(x, y, verbose=0, callbacks=[print])


def test_history_plot_without_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    history = History()
    history.on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[plot\]'"):
        history.plot()


def test_history_plot_draws_each_metric_with_its_validation_curve(monkeypatch):
    drawn = []

    class Axis:
        def __init__(self):
            self.lines, self.title = [], None

        def plot(self, xs, ys, label):
            self.lines.append((list(xs), list(ys), label))

        def set_title(self, title):
            self.title = title

        def set_xlabel(self, label):
            pass

        def legend(self):
            pass

    def subplots(rows, cols, figsize, squeeze):
        axes = [Axis() for _ in range(cols)]
        drawn.extend(axes)
        return "figure", [axes]

    pyplot = types.SimpleNamespace(subplots=subplots)
    matplotlib = types.ModuleType("matplotlib")
    matplotlib.pyplot = pyplot
    monkeypatch.setitem(sys.modules, "matplotlib", matplotlib)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)
    x, y = xy()
    history = regression().fit(x, y, epochs=3, verbose=0, validation_split=0.25)
    # the panels come back, not the Figure: Jupyter would draw a returned Figure a second time
    assert history.plot() == drawn
    assert [axis.title for axis in drawn] == ["loss", "mae"]
    assert [line[2] for line in drawn[0].lines] == ["loss", "val_loss"]
    assert drawn[0].lines[0][0] == [1, 2, 3] and drawn[0].lines[0][1] == history.history["loss"]
    with pytest.raises(ValueError, match="no recorded values for \\['acc'\\]"):
        history.plot(["acc"])


def test_evaluate_and_predict_call_their_hooks() -> None:
    import nn

    seen: list[str] = []

    class Recorder(nn.callbacks.Callback):
        def on_test_begin(self, logs=None):  # type: ignore[no-untyped-def]
            seen.append("test_begin")

        def on_test_batch_end(self, batch, logs=None):  # type: ignore[no-untyped-def]
            seen.append(f"test_batch_{batch}:{logs['loss']:.2f}")

        def on_test_end(self, logs=None):  # type: ignore[no-untyped-def]
            seen.append(f"test_end:{logs['loss']:.2f}")

        def on_predict_begin(self, logs=None):  # type: ignore[no-untyped-def]
            seen.append("predict_begin")

        def on_predict_batch_end(self, batch, logs=None):  # type: ignore[no-untyped-def]
            seen.append(f"predict_batch_{batch}:{logs['outputs'].shape}")

        def on_predict_end(self, logs=None):  # type: ignore[no-untyped-def]
            seen.append("predict_end")

    model = nn.Sequential([nn.layers.Dense(1, input_dim=1, kernel_initializer="ones")])
    model.compile(loss="mse")
    x, y = [[1.0], [2.0], [3.0]], [2.0, 2.0, 2.0]
    assert model.evaluate(x, y, batch_size=2, verbose=0, callbacks=[Recorder()]) == 2.0 / 3.0
    model.predict(x, batch_size=2, verbose=0, callbacks=[Recorder()])

    assert seen == [
        "test_begin", "test_batch_0:0.50", "test_batch_1:0.67", "test_end:0.67",
        "predict_begin", "predict_batch_0:(2, 1)", "predict_batch_1:(1, 1)", "predict_end",
    ]  # fmt: skip
