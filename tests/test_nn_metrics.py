"""Metrics: Keras' choice of accuracy from shapes and loss, batch-size weighting, identifiers."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor
from nn import losses, metrics
from nn.metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    MeanAbsoluteError,
    MeanMetricWrapper,
    MeanSquaredError,
    SparseCategoricalAccuracy,
)

PROBS = np.array([[0.1, 0.6, 0.3], [0.8, 0.1, 0.1], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]])
IDS = np.array([1, 0, 1, 2])  # the first two are right: accuracy 0.5


# ---------------------------------------------------------------------------------------
# Which accuracy: Keras' rule


@pytest.mark.parametrize(
    "y_true, y_pred, kind, value",
    [
        # width-1 predictions: binary, threshold 0.5 (strictly greater)
        (np.array([1, 0, 1, 0]), np.array([[0.9], [0.2], [0.5], [0.7]]), "binary_accuracy", 0.5),
        (np.array([[1], [0], [1]]), np.array([[0.9], [0.2], [0.51]]), "binary_accuracy", 1.0),
        (np.array([1.0, 0.0]), np.array([0.7, 0.1]), "binary_accuracy", 1.0),  # 1-D predictions
        # integer labels (lower rank, or width 1) against wider predictions: sparse
        (IDS, PROBS, "sparse_categorical_accuracy", 0.5),
        (IDS.reshape(-1, 1), PROBS, "sparse_categorical_accuracy", 0.5),
        # one-hot labels of the predictions' width: categorical
        (np.eye(3)[IDS], PROBS, "categorical_accuracy", 0.5),
    ],
)
def test_accuracy_is_chosen_from_the_shapes_at_the_first_update(y_true, y_pred, kind, value):
    metric = metrics.get("accuracy")
    assert isinstance(metric, Accuracy) and metric.kind is None
    metric.update_state(y_true, y_pred)
    assert metric.kind == kind
    assert metric.result() == pytest.approx(value)
    assert metric.name == "accuracy"


@pytest.mark.parametrize(
    "loss, output_shape, cls",
    [
        ("binary_crossentropy", None, BinaryAccuracy),
        (losses.BinaryCrossentropy(), (None, 3), BinaryAccuracy),  # multi-label outputs
        (None, (None, 1), BinaryAccuracy),
        ("mse", (None, 1), BinaryAccuracy),
        ("sparse_categorical_crossentropy", None, SparseCategoricalAccuracy),
        (
            losses.SparseCategoricalCrossentropy(from_logits=True),
            (None, 10),
            SparseCategoricalAccuracy,
        ),
        ("categorical_crossentropy", (None, 4), CategoricalAccuracy),
    ],
)
def test_accuracy_is_chosen_early_when_the_loss_or_width_decides(loss, output_shape, cls):
    metric = metrics.get("acc", loss=loss, output_shape=output_shape)
    assert type(metric) is cls
    assert metric.name == "acc"


def test_undetermined_accuracy_waits_for_the_first_batch():
    assert type(metrics.get("accuracy", loss="mse", output_shape=(None, 3))) is Accuracy
    assert type(metrics.get("accuracy")) is Accuracy


def test_binary_accuracy_on_logits_thresholds_at_zero():
    metric = metrics.get("accuracy", loss=losses.BinaryCrossentropy(from_logits=True))
    metric.update_state(np.array([1, 0, 1]), np.array([[0.2], [-0.1], [-3.0]]))
    assert metric.result() == pytest.approx(2 / 3)


def test_metric_names_keep_the_users_spelling():
    for name in ("acc", "accuracy", "Accuracy", "mae", "mean_absolute_error", "mse"):
        assert metrics.get(name).name == name
    assert metrics.get("mse", loss="mse").name == "mse"


# ---------------------------------------------------------------------------------------
# Running means


def test_batches_are_weighted_by_their_size():
    metric = metrics.get("mae")
    metric.update_state(np.array([[0.0], [0.0], [0.0]]), np.array([[1.0], [1.0], [1.0]]))  # 3 x 1
    metric.update_state(np.array([[0.0]]), np.array([[5.0]]))  # 1 x 5
    assert metric.result() == pytest.approx((3 * 1.0 + 5.0) / 4)
    metric.reset_state()
    assert metric.result() == 0.0
    metric.update_state(np.array([[1.0]]), np.array([[3.0]]))
    assert metric.result() == pytest.approx(2.0)


def test_sample_weight_weights_each_sample():
    metric = SparseCategoricalAccuracy()
    metric.update_state(IDS, PROBS, sample_weight=np.array([1.0, 1.0, 2.0, 0.0]))
    assert metric.result() == pytest.approx(2 / 4)
    metric = BinaryAccuracy()
    metric.update_state([1, 0], [[0.9], [0.9]], sample_weight=[[3.0], [1.0]])
    assert metric.result() == pytest.approx(3 / 4)


def test_accuracy_reset_keeps_the_chosen_kind():
    metric = metrics.get("acc")
    metric.update_state(IDS, PROBS)
    metric.reset_state()
    assert metric.result() == 0.0 and metric.kind == "sparse_categorical_accuracy"
    metric.update_state(IDS[:2], PROBS[:2])
    assert metric.result() == 1.0


@pytest.mark.parametrize(
    "metric, value",
    [
        (MeanAbsoluteError(), np.mean(np.abs(PROBS - np.eye(3)[IDS]))),
        (MeanSquaredError(), np.mean((PROBS - np.eye(3)[IDS]) ** 2)),
        (CategoricalAccuracy(), 0.5),
    ],
)
def test_regression_and_categorical_metrics(metric, value):
    metric.update_state(np.eye(3)[IDS], PROBS)
    assert metric.result() == pytest.approx(value)


def test_crossentropy_metrics_equal_the_loss_without_building_a_graph():
    metric = metrics.get("sparse_categorical_crossentropy")
    pred = Tensor(PROBS, requires_grad=True)
    metric.update_state(IDS, pred)
    expected = losses.SparseCategoricalCrossentropy()(IDS, Tensor(PROBS)).item()
    assert metric.result() == pytest.approx(expected)
    binary = metrics.get("binary_crossentropy")
    binary.update_state(np.array([1, 0]), np.array([[0.8], [0.3]]))
    assert binary.result() == pytest.approx(-(np.log(0.8) + np.log(0.7)) / 2)


def test_metrics_accept_tensors_and_lists():
    metric = metrics.get("mse")
    metric.update_state([1.0, 2.0], Tensor([[1.0], [4.0]]))
    assert metric.result() == pytest.approx(2.0)


def test_label_shapes_that_do_not_line_up_are_errors():
    with pytest.raises(ValueError, match=r"\(3,\).*\(4, 1\)"):
        metrics.get("mae").update_state(np.zeros(3), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="labels of shape"):
        CategoricalAccuracy().update_state(np.zeros((4, 2)), PROBS)
    with pytest.raises(ValueError, match="labels of shape"):
        SparseCategoricalAccuracy().update_state(np.zeros(3), PROBS)


# ---------------------------------------------------------------------------------------
# Identifiers


def test_get_keeps_metric_instances_and_wraps_functions():
    metric = BinaryAccuracy(threshold=0.7)
    assert metrics.get(metric) is metric

    def max_error(y_true, y_pred):
        return np.abs(np.asarray(y_true) - np.asarray(y_pred)).max(axis=-1)

    wrapped = metrics.get(max_error)
    assert isinstance(wrapped, MeanMetricWrapper) and wrapped.name == "max_error"
    wrapped.update_state(np.array([[0.0, 1.0]]), np.array([[0.5, 3.0]]))
    assert wrapped.result() == 2.0


def test_binary_accuracy_threshold_is_configurable():
    metric = BinaryAccuracy(threshold=0.7)
    metric.update_state([1, 1], [[0.65], [0.75]])
    assert metric.result() == 0.5


def test_unknown_metric_lists_the_valid_names():
    with pytest.raises(ValueError) as info:
        metrics.get("accuarcy")
    message = str(info.value)
    assert message.startswith("Unknown metric identifier 'accuarcy'. Valid names: ")
    names = message.split("Valid names: ")[1].split(", ")
    assert names == sorted(names)
    assert {"'acc'", "'accuracy'", "'mae'", "'mse'", "'binary_accuracy'"} <= set(names)
