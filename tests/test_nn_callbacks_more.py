"""LearningRateScheduler, ReduceLROnPlateau, ModelCheckpoint and CSVLogger, against Keras 3's
documented behaviour (keras/src/callbacks/*.py)."""

import math

import numpy as np
import pytest

import nn

callbacks = nn.callbacks


def plateau_model(lr: float = 0.1) -> nn.Sequential:
    """A model whose loss cannot change (zero inputs, no bias): a plateau from epoch 0."""
    model = nn.Sequential([nn.layers.Dense(1, input_dim=1, use_bias=False)])
    model.compile(optimizer=nn.optimizers.SGD(lr), loss="mse")
    return model


def rates_seen_per_batch(model: nn.Sequential) -> tuple[list, callbacks.Callback]:
    seen: list = []
    probe = callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: seen.append(model.optimizer.learning_rate)
    )
    return seen, probe


# -- LearningRateScheduler -----------------------------------------------------------------


def test_scheduler_sets_each_epochs_rate_before_its_first_batch():
    model = plateau_model(0.2)
    seen, probe = rates_seen_per_batch(model)
    scheduler = callbacks.LearningRateScheduler(lambda epoch, lr: 0.2 * 0.5**epoch)
    history = model.fit(
        np.zeros((4, 1)), np.ones(4), batch_size=2, epochs=3, verbose=0,
        callbacks=[scheduler, probe], shuffle=False,
    )
    assert seen == [0.2, 0.2, 0.1, 0.1, 0.05, 0.05]
    assert history.history["learning_rate"] == [0.2, 0.1, 0.05]


def test_scheduler_receives_the_current_rate_and_accepts_keras_one_argument_form():
    model = plateau_model(0.3)
    received = []

    def schedule(epoch, lr):
        received.append((epoch, lr))
        return lr * 0.1

    model.fit(np.zeros((2, 1)), np.ones(2), epochs=3, verbose=0,
              callbacks=[callbacks.LearningRateScheduler(schedule)])
    assert [e for e, _ in received] == [0, 1, 2]
    np.testing.assert_allclose([lr for _, lr in received], [0.3, 0.03, 0.003])
    one_argument = callbacks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))
    history = model.fit(np.zeros((2, 1)), np.ones(2), epochs=2, verbose=0, callbacks=[one_argument])
    np.testing.assert_allclose(history.history["learning_rate"], [0.01, 0.02])


def test_scheduler_output_must_be_a_float_as_keras_requires():
    model = plateau_model()
    with pytest.raises(ValueError, match="should be a float, received 1 at epoch 0"):
        model.fit(np.zeros((2, 1)), np.ones(2), verbose=0,
                  callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: 1)])
    with pytest.raises(TypeError, match="expects a function"):
        callbacks.LearningRateScheduler(0.1)


def test_scheduler_over_a_schedule_optimizer_raises_keras_type_error():
    model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
    schedule = nn.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)
    model.compile(optimizer=nn.optimizers.SGD(schedule), loss="mse")
    with pytest.raises(TypeError, match="not settable"):
        model.fit(np.zeros((2, 1)), np.ones(2), verbose=0,
                  callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: lr)])


def test_scheduler_verbose_prints_keras_message(capsys):
    model = plateau_model(0.1)
    model.fit(np.zeros((2, 1)), np.ones(2), epochs=1, verbose=0,
              callbacks=[callbacks.LearningRateScheduler(lambda e, lr: 0.05, verbose=1)])
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.05." in capsys.readouterr().out


# -- ReduceLROnPlateau -----------------------------------------------------------------------


def keras_plateau_reference(values, lr, factor, patience, min_delta, cooldown, min_lr, maximize):
    """The rate after each epoch, written from keras/src/callbacks/reduce_lr_on_plateau.py."""
    best = -math.inf if maximize else math.inf
    wait = cool = 0
    rates = []
    for current in values:
        if cool > 0:
            cool -= 1
            wait = 0
        better = current > best + min_delta if maximize else current < best - min_delta
        if better:
            best, wait = current, 0
        elif not cool > 0:
            wait += 1
            if wait >= patience and lr > np.float32(min_lr):
                lr = max(lr * factor, min_lr)
                cool, wait = cooldown, 0
        rates.append(lr)
    return rates


@pytest.mark.parametrize(
    "values, kwargs",
    [
        ([1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8], {"patience": 2}),
        ([1.0] * 12, {"patience": 1, "cooldown": 2}),
        ([1.0] * 10, {"patience": 1, "factor": 0.5, "min_lr": 0.02}),
        ([1.0, 0.99995, 0.9999, 0.99989, 0.9, 0.9], {"patience": 1, "min_delta": 1e-4}),
        ([0.5, 0.6, 0.6, 0.55, 0.7, 0.7, 0.7], {"patience": 2, "monitor": "val_acc"}),
    ],
)
def test_reduce_lr_on_plateau_follows_keras_rule(values, kwargs):
    monitor = kwargs.pop("monitor", "loss")
    defaults = {"factor": 0.1, "patience": 10, "min_delta": 1e-4, "cooldown": 0, "min_lr": 0.0}
    settings = {**defaults, **kwargs}
    model = nn.Sequential()
    model.optimizer = nn.optimizers.SGD(0.1)
    reduce = callbacks.ReduceLROnPlateau(monitor=monitor, **settings)
    reduce.set_model(model)
    reduce.on_train_begin()
    got = []
    for epoch, value in enumerate(values):
        logs = {monitor: value}
        reduce.on_epoch_end(epoch, logs)
        got.append(model.optimizer.learning_rate)
    want = keras_plateau_reference(values, 0.1, maximize="acc" in monitor, **settings)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_reduce_lr_on_plateau_defaults_are_keras():
    reduce = callbacks.ReduceLROnPlateau()
    assert (reduce.monitor, reduce.factor, reduce.patience, reduce.min_delta) == (
        "val_loss", 0.1, 10, 1e-4,
    )
    assert (reduce.cooldown, reduce.min_lr, reduce.mode) == (0, 0.0, "auto")


def test_reduce_lr_on_plateau_in_fit_logs_the_rate_and_lowers_the_next_epochs_steps():
    model = plateau_model(0.1)
    seen, probe = rates_seen_per_batch(model)
    reduce = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)
    history = model.fit(np.zeros((2, 1)), np.ones(2), epochs=4, verbose=0,
                        callbacks=[reduce, probe])
    assert history.history["learning_rate"] == [0.1, 0.1, 0.05, 0.025]
    assert seen == [0.1, 0.1, 0.05, 0.025]  # the reduction at epoch 1's end applies from epoch 2


def test_the_progress_line_shows_the_learning_rate_as_keras(capsys):
    model = plateau_model(0.1)
    model.fit(np.zeros((2, 1)), np.ones(2), epochs=1, verbose=2,
              callbacks=[callbacks.ReduceLROnPlateau(monitor="loss")])
    assert "learning_rate: 0.1000" in capsys.readouterr().out


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"factor": 1.0}, ValueError, "factor >= 1.0"),
        ({"mode": "up"}, ValueError, "mode 'auto', 'min' or 'max'"),
        ({"patience": -1}, ValueError, "patience >= 0"),
    ],
)
def test_reduce_lr_on_plateau_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        callbacks.ReduceLROnPlateau(**kwargs)


def test_reduce_lr_on_plateau_monitor_that_fit_will_not_report_fails_before_training():
    model = plateau_model()
    before = model.get_weights()
    with pytest.raises(ValueError, match="monitors 'val_loss', which fit will not report"):
        model.fit(np.zeros((2, 1)), np.ones(2), verbose=0,
                  callbacks=[callbacks.ReduceLROnPlateau()])
    assert model.optimizer.iterations == 0
    np.testing.assert_array_equal(model.get_weights()[0], before[0])


# -- ModelCheckpoint ---------------------------------------------------------------------------


def scripted_checkpoint(tmp_path, values, name, **kwargs):
    """Drive a checkpoint by hand: before epoch k the kernel is set to k, so a saved file
    tells which epoch it holds."""
    model = nn.Sequential([nn.layers.Dense(1, input_dim=1, use_bias=False)])
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / name), save_weights_only=True, **kwargs)
    checkpoint.set_model(model)
    checkpoint.set_params({"metrics": ["loss", "val_loss", "acc", "val_acc"]})
    checkpoint.on_train_begin()
    for epoch, value in enumerate(values):
        model.set_weights([np.array([[float(epoch)]])])
        checkpoint.on_epoch_begin(epoch)
        checkpoint.on_epoch_end(epoch, {kwargs.get("monitor", "val_loss"): value})
    return model, checkpoint


def saved_epoch(model, path) -> float:
    model.load_weights(str(path))
    return float(model.get_weights()[0][0, 0])


def keras_best_only_reference(values, maximize, threshold=None):
    """The epochs Keras saves with save_best_only (MonitorCallback: strictly better)."""
    best = threshold if threshold is not None else (-math.inf if maximize else math.inf)
    saved = []
    for epoch, v in enumerate(values):
        if (v > best) if maximize else (v < best):
            best = v
            saved.append(epoch)
    return saved


def test_save_best_only_keeps_each_strict_improvement_of_val_loss(tmp_path):
    values = [0.5, 0.7, 0.4, 0.4, 0.6, 0.3]
    model, _ = scripted_checkpoint(tmp_path, values, "ep{epoch:02d}.npz", save_best_only=True)
    saved = sorted(int(p.name[2:4]) - 1 for p in tmp_path.iterdir())
    assert saved == keras_best_only_reference(values, maximize=False) == [0, 2, 5]
    model, _ = scripted_checkpoint(tmp_path, values, "best.npz", save_best_only=True)
    assert saved_epoch(model, tmp_path / "best.npz") == 5.0  # one path: overwritten by each best


def test_save_best_only_maximizes_accuracy_and_honours_initial_value_threshold(tmp_path):
    values = [0.6, 0.55, 0.8, 0.7, 0.9]
    kwargs = {"monitor": "val_acc", "save_best_only": True, "initial_value_threshold": 0.75}
    _, checkpoint = scripted_checkpoint(tmp_path, values, "e{epoch}.npz", **kwargs)
    saved = sorted(int(p.stem[1:]) - 1 for p in tmp_path.iterdir())
    assert saved == keras_best_only_reference(values, True, threshold=0.75) == [2, 4]
    assert checkpoint.mode == "max" and checkpoint.best == 0.9


def test_without_save_best_only_every_epoch_is_saved_with_a_formatted_name(tmp_path):
    nn.utils.set_random_seed(1)
    model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.linspace(0, 1, 10).reshape(-1, 1)
    path = tmp_path / "ck" / "w-{epoch:02d}-{val_loss:.2f}.npz"
    checkpoint = callbacks.ModelCheckpoint(path, save_weights_only=True)
    history = model.fit(x, 2 * x, epochs=3, validation_split=0.2, verbose=0,
                        callbacks=[checkpoint])
    want = [f"w-{e + 1:02d}-{v:.2f}.npz" for e, v in enumerate(history.history["val_loss"])]
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == sorted(want)
    final = model.get_weights()
    model.load_weights(str(tmp_path / "ck" / want[-1]))
    for got, saved in zip(model.get_weights(), final):
        np.testing.assert_array_equal(got, saved)


def test_save_weights_only_false_calls_model_save_with_overwrite(tmp_path):
    calls = []

    class Saving:
        def save(self, filepath, overwrite=True):
            calls.append((filepath, overwrite))

    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch}.keras"), monitor="loss")
    checkpoint.set_model(Saving())
    checkpoint.on_train_begin()
    checkpoint.on_epoch_end(0, {"loss": 1.0})
    assert calls == [(str(tmp_path / "m-1.keras"), True)]


def test_model_without_save_fails_before_training_and_points_to_save_weights_only(tmp_path):
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "m.keras"))
    checkpoint.set_model(object())
    with pytest.raises(TypeError, match="pass save_weights_only=True"):
        checkpoint.on_train_begin()


def test_a_filepath_key_the_logs_lack_raises_key_error(tmp_path):
    model = plateau_model()
    checkpoint = callbacks.ModelCheckpoint(
        str(tmp_path / "{val_accuracy:.2f}.npz"), save_weights_only=True
    )
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        model.fit(np.zeros((2, 1)), np.ones(2), verbose=0, callbacks=[checkpoint])


def test_save_best_only_on_a_monitor_fit_will_not_report_fails_before_training(tmp_path):
    model = plateau_model()
    checkpoint = callbacks.ModelCheckpoint(
        str(tmp_path / "w.npz"), save_weights_only=True, save_best_only=True
    )
    with pytest.raises(ValueError, match="monitors 'val_loss', which fit will not report"):
        model.fit(np.zeros((2, 1)), np.ones(2), verbose=0, callbacks=[checkpoint])
    assert list(tmp_path.iterdir()) == []


def test_checkpoint_verbose_prints_keras_messages(tmp_path, capsys):
    scripted_checkpoint(tmp_path, [0.5, 0.6], "w.npz", save_best_only=True, verbose=1)
    out = capsys.readouterr().out
    assert f"Epoch 1: val_loss improved from inf to 0.50000, saving model to {tmp_path}" in out
    assert "Epoch 2: val_loss did not improve from 0.50000" in out


@pytest.mark.parametrize("save_freq", [0, "batch", 2.5])
def test_checkpoint_bad_save_freq(save_freq):
    with pytest.raises(ValueError, match="save_freq='epoch' or a positive number"):
        callbacks.ModelCheckpoint("w.npz", save_freq=save_freq)


# -- CSVLogger ---------------------------------------------------------------------------------


def read_rows(path, delimiter=","):
    import csv

    with open(path, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_csv_logger_writes_sorted_columns_and_the_exact_logged_values(tmp_path):
    nn.utils.set_random_seed(2)
    model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x = np.linspace(0, 1, 10).reshape(-1, 1)
    path = tmp_path / "log.csv"
    history = model.fit(x, x, epochs=3, validation_split=0.2, verbose=0,
                        callbacks=[callbacks.CSVLogger(path)])
    rows = read_rows(path)
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    for epoch, row in enumerate(rows[1:]):
        assert int(row[0]) == epoch
        for key, cell in zip(rows[0][1:], row[1:]):
            assert float(cell) == history.history[key][epoch]  # repr round-trips exactly
    assert path.read_bytes().count(b"\r\n") == 4  # Keras' csv.excel line ends


def test_csv_logger_separator_append_and_learning_rate_column(tmp_path):
    model = plateau_model(0.1)
    path = tmp_path / "log.csv"
    reduce = callbacks.ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5)
    logger = callbacks.CSVLogger(path, separator=";", append=True)
    model.fit(np.zeros((2, 1)), np.ones(2), epochs=2, verbose=0, callbacks=[reduce, logger])
    model.fit(np.zeros((2, 1)), np.ones(2), epochs=1, verbose=0, callbacks=[reduce, logger])
    rows = read_rows(path, ";")
    assert rows[0] == ["epoch", "learning_rate", "loss"]
    assert [r[:2] for r in rows[1:]] == [["0", "0.1"], ["1", "0.1"], ["0", "0.05"]]
    fresh = callbacks.CSVLogger(path)
    fresh.on_train_begin()  # append=False truncates
    fresh.on_train_end()
    assert path.read_text() == ""


def test_csv_logger_formats_iterables_as_keras():
    from nn.callbacks_files import _csv_value

    assert _csv_value(np.array([1, 2])) == '"[1, 2]"'
    assert _csv_value(np.float64(0.5)) == 0.5 and _csv_value("x") == "x"
    assert _csv_value(np.array(3.0)) == np.array(3.0)


def test_csv_logger_bad_arguments():
    with pytest.raises(ValueError, match="one-character separator"):
        callbacks.CSVLogger("log.csv", separator=";;")
    with pytest.raises(TypeError, match="str or path filename"):
        callbacks.CSVLogger(3)


def test_checkpoint_of_the_whole_model_loads_back_with_its_regularizers_and_schedule(tmp_path):
    """save_weights_only=False calls model.save (Keras); load_model gives the same model,
    penalty, schedule position and metrics back."""
    nn.utils.set_random_seed(0)
    model = nn.Sequential(
        [nn.layers.Dense(3, input_dim=2, kernel_regularizer=nn.regularizers.L2(0.1)),
         nn.layers.Dense(1)]
    )
    schedule = nn.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    model.compile(optimizer=nn.optimizers.SGD(schedule), loss="mse", metrics=["mae"],
                  weighted_metrics=["mae"])
    x = np.random.default_rng(0).normal(size=(8, 2))
    checkpoint = callbacks.ModelCheckpoint(
        tmp_path / "m-{epoch}.keras", monitor="loss", save_best_only=True
    )
    history = model.fit(x, x[:, :1], epochs=3, verbose=0, callbacks=[checkpoint])
    losses = history.history["loss"]
    assert losses == sorted(losses, reverse=True)  # each epoch improved: one file per epoch
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-1.keras", "m-2.keras", "m-3.keras"]
    loaded = nn.models.load_model(str(tmp_path / "m-3.keras"))
    assert loaded.layers[0].kernel_regularizer.l2 == 0.1
    assert loaded.optimizer.learning_rate == model.optimizer.learning_rate == 0.1 * 0.5 ** 0.3
    assert loaded.metrics_names == ["loss", "mae", "weighted_mae"]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.evaluate(x, x[:, :1], verbose=0) == model.evaluate(x, x[:, :1], verbose=0)
