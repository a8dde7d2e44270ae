"""Losses: Keras' documented numbers, numpy formulas, gradchecks, shapes, labels, extremes."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Tensor, gradcheck
from nn import losses
from nn.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Hinge,
    Huber,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)

Y2 = [[0.0, 1.0], [0.0, 0.0]]
P2 = [[0.6, 0.4], [0.4, 0.6]]
ONE_HOT = [[0, 1, 0], [0, 0, 1]]
PROBS3 = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]


# ---------------------------------------------------------------------------------------
# Keras' documented examples (docstrings of keras.losses and tf.keras.losses)


@pytest.mark.parametrize(
    "loss, y_true, y_pred, expected",
    [
        (MeanSquaredError(), Y2, [[1.0, 1.0], [1.0, 0.0]], 0.5),
        (MeanAbsoluteError(), Y2, [[1.0, 1.0], [1.0, 0.0]], 0.5),
        (BinaryCrossentropy(), Y2, P2, 0.815),
        (BinaryCrossentropy(from_logits=True), [0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8], 0.8654),
        (
            BinaryCrossentropy(from_logits=True),
            [[0, 1], [0, 0]],
            [[-18.6, 0.51], [2.94, -12.8]],
            0.8654,
        ),
        (CategoricalCrossentropy(), ONE_HOT, PROBS3, 1.177),
        (SparseCategoricalCrossentropy(), [1, 2], PROBS3, 1.177),
        (Hinge(), Y2, P2, 1.3),
        (Huber(), [[0, 1], [0, 0]], P2, 0.155),
    ],
    ids=lambda v: repr(v) if not isinstance(v, list) else "",
)
def test_keras_documented_values(loss, y_true, y_pred, expected):
    value = loss(y_true, Tensor(y_pred))
    assert value.shape == ()
    assert value.item() == pytest.approx(expected, abs=6e-4)


@pytest.mark.parametrize(
    "fn, y_true, y_pred, expected",
    [
        (losses.binary_crossentropy, [[0, 1], [0, 0]], P2, [0.916, 0.714]),
        (losses.categorical_crossentropy, ONE_HOT, PROBS3, [0.0513, 2.303]),
        (losses.sparse_categorical_crossentropy, [1, 2], PROBS3, [0.0513, 2.303]),
    ],
)
def test_keras_documented_per_sample_values(fn, y_true, y_pred, expected):
    np.testing.assert_allclose(fn(y_true, Tensor(y_pred)).data, expected, atol=6e-4)


def test_keras_documented_sample_weights():
    bce = BinaryCrossentropy(from_logits=True)
    y_pred = Tensor([[-18.6, 0.51], [2.94, -12.8]])
    np.testing.assert_allclose(bce.call([[0, 1], [0, 0]], y_pred).data, [0.235, 1.496], atol=6e-4)
    # Keras prints 0.243 for (0.8 * 0.2352 + 0.2 * 1.4958) / 2 = 0.24364
    weighted = bce([[0, 1], [0, 0]], y_pred, sample_weight=[0.8, 0.2])
    assert weighted.item() == pytest.approx(0.2436, abs=1e-4)
    cce = CategoricalCrossentropy()
    weighted = cce(ONE_HOT, Tensor(PROBS3), sample_weight=np.array([0.3, 0.7]))
    assert weighted.item() == pytest.approx(0.814, abs=6e-4)


# ---------------------------------------------------------------------------------------
# The same numbers from plain numpy formulas

RNG = np.random.default_rng(7)
Y_REAL = RNG.normal(size=(5, 3))
P_REAL = RNG.normal(size=(5, 3))
Y_BIN = RNG.integers(0, 2, size=(5, 3)).astype(float)
P_PROB = RNG.uniform(0.05, 0.95, size=(5, 3))
IDS = RNG.integers(0, 3, size=5)
LOGITS = RNG.normal(scale=3.0, size=(5, 3))


def _np_log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _np_sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize(
    "fn, y_true, y_pred, expected",
    [
        (losses.mse, Y_REAL, P_REAL, ((Y_REAL - P_REAL) ** 2).mean(-1)),
        (losses.mae, Y_REAL, P_REAL, np.abs(Y_REAL - P_REAL).mean(-1)),
        (
            losses.binary_crossentropy,
            Y_BIN,
            P_PROB,
            -(Y_BIN * np.log(P_PROB) + (1 - Y_BIN) * np.log(1 - P_PROB)).mean(-1),
        ),
        (
            lambda y, p: losses.binary_crossentropy(y, p, from_logits=True),
            Y_BIN,
            LOGITS,
            -(
                Y_BIN * np.log(_np_sigmoid(LOGITS)) + (1 - Y_BIN) * np.log(1 - _np_sigmoid(LOGITS))
            ).mean(-1),
        ),
        (
            losses.categorical_crossentropy,
            np.eye(3)[IDS],
            P_PROB,
            -np.log(P_PROB[np.arange(5), IDS] / P_PROB.sum(-1)),
        ),
        (
            lambda y, p: losses.categorical_crossentropy(y, p, from_logits=True),
            np.eye(3)[IDS],
            LOGITS,
            -_np_log_softmax(LOGITS)[np.arange(5), IDS],
        ),
        (
            lambda y, p: losses.sparse_categorical_crossentropy(y, p, from_logits=True),
            IDS,
            LOGITS,
            -_np_log_softmax(LOGITS)[np.arange(5), IDS],
        ),
        (losses.hinge, Y_BIN, P_REAL, np.maximum(1 - (2 * Y_BIN - 1) * P_REAL, 0).mean(-1)),
        (
            losses.hinge,
            2 * Y_BIN - 1,
            P_REAL,
            np.maximum(1 - (2 * Y_BIN - 1) * P_REAL, 0).mean(-1),
        ),
        (
            losses.huber,
            Y_REAL,
            P_REAL,
            np.where(
                np.abs(P_REAL - Y_REAL) <= 1,
                0.5 * (P_REAL - Y_REAL) ** 2,
                np.abs(P_REAL - Y_REAL) - 0.5,
            ).mean(-1),
        ),
    ],
)
def test_losses_match_numpy_formulas(fn, y_true, y_pred, expected):
    out = fn(y_true, Tensor(y_pred))
    assert out.shape == (5,)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


def test_huber_delta_switches_between_the_branches():
    errors = np.array([[0.5, -2.0, 3.0]])
    out = losses.huber(np.zeros((1, 3)), Tensor(errors), delta=2.0)
    # 0.5 * 0.25, 0.5 * 4 (|e| == delta is quadratic), 2 * 3 - 2
    assert out.item() == pytest.approx((0.125 + 2.0 + 4.0) / 3)


# ---------------------------------------------------------------------------------------
# Gradients come from autograd: check them against finite differences in float64

GRAD_CASES = {
    "mse": (losses.mse, Y_REAL, P_REAL),
    # errors kept away from 0, where |e| has a kink
    "mae": (losses.mae, Y_REAL, Y_REAL + np.where(P_REAL > 0, 0.5, -0.5) + 0.1 * P_REAL),
    "bce": (losses.binary_crossentropy, Y_BIN, P_PROB),
    "bce_soft_labels": (losses.binary_crossentropy, P_PROB[::-1], P_PROB),
    "bce_logits": (lambda y, p: losses.binary_crossentropy(y, p, from_logits=True), Y_BIN, LOGITS),
    "cce": (losses.categorical_crossentropy, np.eye(3)[IDS], P_PROB),
    "cce_logits": (
        lambda y, p: losses.categorical_crossentropy(y, p, from_logits=True),
        np.eye(3)[IDS],
        LOGITS,
    ),
    "sparse": (losses.sparse_categorical_crossentropy, IDS, P_PROB),
    "sparse_logits": (
        lambda y, p: losses.sparse_categorical_crossentropy(y, p, from_logits=True),
        IDS,
        LOGITS,
    ),
    # margins 1 - y p kept away from 0
    "hinge": (losses.hinge, Y_BIN, np.where(Y_BIN > 0, 1, -1) * np.array([0.5, 1.5, -0.7])),
    # |errors| kept away from delta = 1
    "huber": (losses.huber, np.zeros((5, 3)), np.array([0.3, -1.6, 2.4]) * np.ones((5, 3))),
}


@pytest.mark.parametrize("case", sorted(GRAD_CASES))
def test_loss_gradients_pass_gradcheck(case):
    fn, y_true, y_pred = GRAD_CASES[case]
    x = Tensor(np.array(y_pred, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda p: fn(y_true, p), x)


@pytest.mark.parametrize(
    "loss, y_true, y_pred",
    [
        (MeanSquaredError(), Y_REAL, P_REAL),
        (BinaryCrossentropy(from_logits=True), Y_BIN, LOGITS),
        (SparseCategoricalCrossentropy(from_logits=True), IDS, LOGITS),
    ],
    ids=repr,
)
def test_loss_class_means_pass_gradcheck_with_sample_weights(loss, y_true, y_pred):
    x = Tensor(y_pred.copy(), requires_grad=True)
    weights = np.linspace(0.5, 2.0, 5)
    assert gradcheck(lambda p: loss(y_true, p), x)
    assert gradcheck(lambda p: loss(y_true, p, sample_weight=weights), x)


def test_bce_from_logits_gradient_at_zero_is_sigmoid_minus_label():
    # relu(z) + log(1 + exp(-|z|)) would give -y here: both kinks report 0 at z = 0
    z = Tensor(np.zeros((4, 1)), requires_grad=True)
    y = np.array([[0.0], [1.0], [0.25], [1.0]])
    losses.binary_crossentropy(y, z, from_logits=True).sum().backward()
    np.testing.assert_allclose(z.grad, 0.5 - y)


@given(st.floats(-30, 30), st.floats(0, 1))
def test_bce_from_logits_equals_bce_of_sigmoid(z, y):
    from_logits = losses.binary_crossentropy([y], Tensor([z]), from_logits=True).item()
    # -log(sigmoid(z)) = log(1 + e^-z), written with numpy's stable logaddexp
    expected = y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)
    assert from_logits == pytest.approx(expected, rel=1e-6, abs=1e-9)


# ---------------------------------------------------------------------------------------
# Shapes, dtypes and label types


@pytest.mark.parametrize(
    "fn", [losses.mse, losses.mae, losses.binary_crossentropy, losses.hinge, losses.huber]
)
def test_labels_n_line_up_with_predictions_n_by_1(fn):
    y = np.array([0.0, 1.0, 1.0, 0.0])
    p = np.array([[0.2], [0.7], [0.4], [0.9]])
    flat = fn(y, Tensor(p))
    column = fn(y.reshape(-1, 1), Tensor(p))
    assert flat.shape == (4,)  # one loss per sample, never a (4, 4) broadcast
    np.testing.assert_array_equal(flat.data, column.data)
    # and the other way round: labels (n, 1) against predictions (n,)
    assert fn(y.reshape(-1, 1), Tensor(p.ravel())).item() == pytest.approx(flat.data.mean())


def test_sparse_labels_accept_n_and_n_by_1():
    p = Tensor(PROBS3)
    a = losses.sparse_categorical_crossentropy([1, 2], p)
    b = losses.sparse_categorical_crossentropy([[1], [2]], p)
    np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize(
    "y_shape, p_shape",
    [((4,), (3, 1)), ((4, 2), (4, 3)), ((4, 1), (4, 2)), ((2, 2), (4,)), ((4,), (4, 2))],
)
def test_other_shape_mismatches_name_both_shapes(y_shape, p_shape):
    with pytest.raises(ValueError) as info:
        losses.mse(np.zeros(y_shape), Tensor(np.zeros(p_shape)))
    assert str(y_shape) in str(info.value) and str(p_shape) in str(info.value)


def test_sparse_shape_mismatch_and_out_of_range_ids_raise():
    with pytest.raises(ValueError, match=r"\(2,\)"):
        losses.sparse_categorical_crossentropy([0, 1, 2], Tensor(PROBS3))
    with pytest.raises(ValueError, match=r"class ids in \[0, 2\]"):
        losses.sparse_categorical_crossentropy([0, 3], Tensor(PROBS3))
    with pytest.raises(ValueError, match="non-negative integer"):
        losses.sparse_categorical_crossentropy([0, 1.5], Tensor(PROBS3))


def test_categorical_with_one_output_column_is_an_error():
    with pytest.raises(ValueError, match="binary_crossentropy"):
        losses.categorical_crossentropy([[1.0], [0.0]], Tensor([[0.3], [0.6]]))


@pytest.mark.parametrize("as_type", [list, np.array, Tensor], ids=["list", "ndarray", "Tensor"])
def test_labels_may_be_lists_arrays_or_tensors(as_type):
    expected = BinaryCrossentropy()(Y2, Tensor(P2)).item()
    assert BinaryCrossentropy()(as_type(Y2), Tensor(P2)).item() == expected


@pytest.mark.parametrize("name", ["mse", "mae", "binary_crossentropy", "hinge", "huber"])
def test_float32_predictions_give_float32_losses_and_gradients(name):
    p = Tensor(np.array(P2, dtype=np.float32), requires_grad=True)
    loss = losses.get(name)(np.array(Y2), p)  # float64 labels are cast to float32
    assert loss.dtype == np.float32
    loss.backward()
    assert p.grad.dtype == np.float32


def test_float32_crossentropies_stay_float32():
    p = Tensor(np.array(PROBS3, dtype=np.float32), requires_grad=True)
    cce = CategoricalCrossentropy()(ONE_HOT, p)
    scce = SparseCategoricalCrossentropy()([1, 2], p)
    for loss in (cce, scce):
        assert loss.dtype == np.float32


# ---------------------------------------------------------------------------------------
# Extreme inputs: finite values and gradients, no warnings


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_give_finite_losses_without_warnings(dtype):
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]], dtype=dtype)
    cases = [
        lambda p: BinaryCrossentropy(from_logits=True)([[0, 1, 1], [1, 0, 1]], p),
        lambda p: CategoricalCrossentropy(from_logits=True)([[0, 1, 0], [1, 0, 0]], p),
        lambda p: SparseCategoricalCrossentropy(from_logits=True)([1, 0], p),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for make in cases:
            p = Tensor(z, requires_grad=True)
            loss = make(p)
            loss.backward()
            assert np.isfinite(loss.item()) and loss.item() > 100
            assert np.all(np.isfinite(p.grad))


def test_bce_from_logits_is_exact_in_the_tails():
    logits = Tensor([[1000.0, -1000.0, -1000.0]])
    loss = losses.binary_crossentropy([[1.0, 0.0, 1.0]], logits, from_logits=True)
    # log(1 + e^-1000) is 0 to double precision; the wrong answer costs exactly 1000
    assert loss.item() == pytest.approx(1000.0 / 3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturated_probabilities_are_clipped_to_finite_losses(dtype):
    p = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for loss, y in (
            (BinaryCrossentropy(), [[1, 0, 1], [1, 0, 0]]),
            (CategoricalCrossentropy(), [[1, 0, 0], [1, 0, 0]]),
            (SparseCategoricalCrossentropy(), [0, 1]),
        ):
            x = Tensor(p, requires_grad=True)
            value = loss(y, x)
            value.backward()
            assert np.isfinite(value.item()) and np.all(np.isfinite(x.grad))
    # -log(1e-7) = 16.118: the clipped cost of a confident wrong answer, as in Keras
    bce = losses.binary_crossentropy([[1.0]], Tensor([[0.0]])).item()
    assert bce == pytest.approx(-np.log(1e-7), rel=1e-6)


# ---------------------------------------------------------------------------------------
# Label domains, checked before training


@pytest.mark.parametrize(
    "loss, labels, message",
    [
        (BinaryCrossentropy(), [[0.0], [2.0]], r"labels in \[0, 1\]"),
        (BinaryCrossentropy(), [[-1.0], [1.0]], r"labels in \[0, 1\]"),
        (SparseCategoricalCrossentropy(), [0, -1, 2], "non-negative integer"),
        (SparseCategoricalCrossentropy(), [0.5, 1.0], "non-negative integer"),
        (CategoricalCrossentropy(), [0, 2, 1], "sparse_categorical_crossentropy"),
        (CategoricalCrossentropy(), [[1, 1, 0], [0, 1, 0]], "one-hot"),
        (Hinge(), [0, 1, 2], r"\{-1, 1\} or \{0, 1\}"),
        (MeanSquaredError(), [0.0, np.nan], "finite"),
    ],
)
def test_check_labels_rejects_labels_outside_the_domain(loss, labels, message):
    with pytest.raises(ValueError, match=message):
        loss.check_labels(np.array(labels))


@pytest.mark.parametrize(
    "loss, labels",
    [
        (BinaryCrossentropy(), [[0.0], [1.0], [0.3]]),
        (SparseCategoricalCrossentropy(), [0, 3, 2]),
        (SparseCategoricalCrossentropy(), [[0.0], [3.0]]),
        (CategoricalCrossentropy(), [[0, 1, 0], [0.1, 0.1, 0.8]]),
        (Hinge(), [-1, 1, 1]),
        (Hinge(), [0, 1, 1]),
        (MeanSquaredError(), [[3.5], [-2.0]]),
    ],
)
def test_check_labels_accepts_valid_labels(loss, labels):
    assert loss.check_labels(np.array(labels)) is None


# ---------------------------------------------------------------------------------------
# Identifiers


@pytest.mark.parametrize(
    "identifier, cls, name",
    [
        ("mse", MeanSquaredError, "mean_squared_error"),
        ("mean_squared_error", MeanSquaredError, "mean_squared_error"),
        ("MeanSquaredError", MeanSquaredError, "mean_squared_error"),
        ("MSE", MeanSquaredError, "mean_squared_error"),
        ("mae", MeanAbsoluteError, "mean_absolute_error"),
        ("binary_crossentropy", BinaryCrossentropy, "binary_crossentropy"),
        ("BinaryCrossentropy", BinaryCrossentropy, "binary_crossentropy"),
        ("categorical_crossentropy", CategoricalCrossentropy, "categorical_crossentropy"),
        (
            "sparse_categorical_crossentropy",
            SparseCategoricalCrossentropy,
            "sparse_categorical_crossentropy",
        ),
        ("hinge", Hinge, "hinge"),
        ("huber", Huber, "huber_loss"),
        (losses.mean_squared_error, MeanSquaredError, "mean_squared_error"),
        (losses.binary_crossentropy, BinaryCrossentropy, "binary_crossentropy"),
        (BinaryCrossentropy, BinaryCrossentropy, "binary_crossentropy"),
    ],
)
def test_get_returns_loss_instances(identifier, cls, name):
    loss = losses.get(identifier)
    assert type(loss) is cls and loss.name == name


def test_get_keeps_instances_and_wraps_plain_functions():
    bce = BinaryCrossentropy(from_logits=True)
    assert losses.get(bce) is bce

    def squared_log_error(y_true, y_pred):
        return ((y_pred + 1.0).log() - np.log1p(y_true)).__pow__(2).mean(axis=-1)

    wrapped = losses.get(squared_log_error)
    assert isinstance(wrapped, LossFunctionWrapper) and wrapped.name == "squared_log_error"
    value = wrapped(np.array([[1.0, 3.0]]), Tensor([[1.0, 1.0]]))
    assert value.item() == pytest.approx((np.log(2) - np.log(4)) ** 2 / 2)


def test_unknown_loss_lists_every_valid_name_sorted():
    with pytest.raises(ValueError) as info:
        losses.get("mean_sqared_error")
    message = str(info.value)
    assert message.startswith("Unknown loss identifier 'mean_sqared_error'. Valid names: ")
    names = message.split("Valid names: ")[1].split(", ")
    assert names == sorted(names)
    assert {"'mse'", "'mae'", "'binary_crossentropy'", "'hinge'", "'huber'"} <= set(names)
    with pytest.raises(ValueError, match="Valid names"):
        losses.get(None)


def test_a_value_prediction_is_refused_rather_than_cut_from_its_graph():
    from autograd import Value

    with pytest.raises(TypeError, match="y_pred as a Tensor"):
        losses.mse([1.0], Value(0.5))


def test_binary_crossentropy_called_directly_refuses_labels_outside_0_1() -> None:
    from nn.losses import BinaryCrossentropy, binary_crossentropy

    with pytest.raises(ValueError, match="labels in \\[0, 1\\], received values from 0.0 to 2.0"):
        BinaryCrossentropy()([[0.0], [2.0]], Tensor([[0.5], [0.5]]))
    with pytest.raises(ValueError, match="labels in \\[0, 1\\]"):
        binary_crossentropy([-1.0], Tensor([0.3]), from_logits=True)


# ---------------------------------------------------------------------------------------
# Each loss class is generated from its function: same options, same defaults


LOSS_CLASSES = [
    MeanSquaredError,
    MeanAbsoluteError,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    Hinge,
    Huber,
]


@pytest.mark.parametrize("cls", LOSS_CLASSES, ids=lambda c: c.__name__)
def test_a_loss_class_takes_its_functions_options_and_defaults(cls):
    options = list(inspect.signature(cls.function).parameters.values())[2:]
    params = list(inspect.signature(cls).parameters.values())
    assert [(p.name, p.default) for p in params] == [(p.name, p.default) for p in options] + [
        ("name", cls().name)
    ]
    loss = cls()
    assert type(losses.get(cls.function)) is cls  # get(fn) gives the class, with its checks
    # the config rebuilds the loss (what saving a compiled model relies on)
    assert type(loss)(**loss.get_config()).get_config() == loss.get_config()
    for option in options:
        assert getattr(loss, option.name) == option.default


def test_categorical_crossentropy_class_takes_the_functions_axis():
    y_true = np.array([[0, 1], [1, 0], [0, 0]], dtype=float)  # one-hot down the columns
    y_pred = Tensor([[0.1, 0.7], [0.6, 0.2], [0.3, 0.1]])
    cce = CategoricalCrossentropy(axis=0)
    assert cce.get_config() == {"name": "categorical_crossentropy", "from_logits": False, "axis": 0}
    expected = losses.categorical_crossentropy(y_true, y_pred, axis=0).data.mean()
    assert cce(y_true, y_pred).item() == pytest.approx(expected)
    assert expected == pytest.approx(-np.mean(np.log([0.6, 0.7])))  # columns sum to 1 already


def test_a_loss_class_refuses_an_unknown_or_repeated_option_naming_its_signature():
    signature = r"BinaryCrossentropy\(from_logits.* = False, name.*\): .*argument 'delta'"
    with pytest.raises(TypeError, match=signature):
        BinaryCrossentropy(delta=2.0)
    with pytest.raises(TypeError, match="Huber.*multiple values for argument 'delta'"):
        Huber(2.0, delta=3.0)
    assert Huber(2.0).delta == 2.0 and Huber(2.0, "h").name == "h"  # positional, as Keras


def test_a_users_loss_class_made_from_a_function():
    def mean_cubed_error(y_true, y_pred, scale=1.0):
        return ((y_pred - np.asarray(y_true)) ** 3 * scale).mean(axis=-1)

    class MeanCubedError(losses.FunctionLoss):
        function = staticmethod(mean_cubed_error)

    loss = MeanCubedError(scale=2.0)
    assert loss.get_config() == {"name": "mean_cubed_error", "scale": 2.0}
    assert loss([[0.0, 1.0]], Tensor([[1.0, 3.0]])).item() == pytest.approx((2 + 16) / 2)
    assert type(losses.get(mean_cubed_error)) is MeanCubedError

    class MyMeanSquaredError(losses.FunctionLoss):  # a library function keeps its own class
        function = staticmethod(losses.mean_squared_error)

    assert type(losses.get(losses.mean_squared_error)) is MeanSquaredError
    assert MyMeanSquaredError().name == "mean_squared_error"
