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
