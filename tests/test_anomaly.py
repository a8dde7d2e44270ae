"""detect_anomaly(): NaN/Inf raise at the op that made them, naming where it was created."""

from __future__ import annotations

import inspect
import math
import threading

import numpy as np
import pytest

import autograd
from autograd import AnomalyError, Tensor, Value, detect_anomaly, is_anomaly_enabled
from autograd.modes import current_monitor

HERE = "tests/test_anomaly.py"


def line_of(marker: str) -> int:
    """The line of this file holding `marker` (so tests name lines without hard-coding)."""
    for number, line in enumerate(inspect.getsource(inspect.getmodule(line_of)).splitlines()):
        if marker in line and "line_of(" not in line:
            return number + 1
    raise AssertionError(marker)


def test_anomaly_error_is_a_floating_point_error_and_exported() -> None:
    assert issubclass(AnomalyError, FloatingPointError)
    assert autograd.AnomalyError is AnomalyError


def test_forward_nan_names_the_op_and_the_line() -> None:
    x = Tensor([1.0, -1.0, 2.0], requires_grad=True)
    with pytest.raises(AnomalyError) as info, detect_anomaly():
        y = x * 2
        z = y.log()  # MARK-log
        z.sum().backward()
    message = str(info.value)
    assert message.startswith("op 'log' produced nan (at index (1,)) in the forward pass")
    assert f"{HERE}:{line_of('# MARK-log')} in test_forward_nan" in message
    assert "its inputs were finite: this op made the non-finite value" in message
    assert "input 0 there: -2.0" in message


def test_forward_inf_in_a_value_overflow() -> None:
    with (
        pytest.raises(AnomalyError, match=r"op 'exp' produced inf in the forward pass"),
        detect_anomaly(),
    ):
        (Value(800.0) * 1.0).exp()


def test_division_by_zero_names_the_reciprocal() -> None:
    # a / b is a * b**-1: the reciprocal is where the inf appears
    with (
        pytest.raises(AnomalyError, match=r"op '\*\*' produced inf \(at index \(0,\)\)"),
        detect_anomaly(),
    ):
        a = Tensor([0.0, 1.0], requires_grad=True)
        _ = (a - a) / Tensor([0.0, 1.0])


def test_float_overflow_lists_the_finite_inputs() -> None:
    with pytest.raises(AnomalyError) as info, detect_anomaly():
        Value(1e308) * 10.0
    message = str(info.value)
    assert message.startswith("op '*' produced inf in the forward pass")
    assert "input 0 there: 1e+308\n  input 1 there: 10.0" in message


def test_forward_in_a_helper_function_reports_the_helper_line() -> None:
    def layer(t: Tensor) -> Tensor:
        return (t - 3.0).log()  # MARK-helper

    with pytest.raises(AnomalyError) as info, detect_anomaly():
        layer(Tensor([4.0, 1.0], requires_grad=True))
    assert f"{HERE}:{line_of('# MARK-helper')} in layer" in str(info.value)
    assert "op 'log' produced nan" in str(info.value)


def test_leaf_that_already_holds_nan_is_reported_as_such() -> None:
    w = Tensor([0.5, math.nan], requires_grad=True, name="w")
    with pytest.raises(AnomalyError) as info, detect_anomaly():
        (w * 2).sum()
    message = str(info.value)
    assert "its input 0 is a leaf Tensor 'w' (made by no op) and already holds nan" in message
    assert "check the data that input was built from" in message


def test_value_leaf_and_constant_inputs() -> None:
    with (
        pytest.raises(AnomalyError, match=r"input 0 is a leaf Value 'b' \(made by no op\)"),
        detect_anomaly(),
    ):
        Value(math.inf, label="b") + 1.0
    with (
        pytest.raises(AnomalyError, match=r"input 1 is a constant \(ndarray\).*-inf"),
        detect_anomaly(),
    ):
        Tensor([1.0, 2.0], requires_grad=True) + np.array([0.0, -np.inf])


def test_input_made_outside_the_block() -> None:
    x = Tensor([1.0, 0.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        bad = x.log()  # made before anomaly mode: not checked, site not recorded
    with pytest.raises(AnomalyError) as info, detect_anomaly():
        bad * 2
    assert "the output of op 'log' created outside detect_anomaly()" in str(info.value)


def test_backward_inf_names_the_op_whose_backward_made_it() -> None:
    x = Tensor([4.0, 0.0], requires_grad=True)
    with pytest.raises(AnomalyError) as info, detect_anomaly():
        y = x.sqrt()  # MARK-sqrt
        y.sum().backward()
    message = str(info.value)
    assert message.startswith(
        "the backward of op '**' returned inf (at index (1,)) as the gradient for its input 0"
    )
    assert f"{HERE}:{line_of('# MARK-sqrt')}" in message
    assert "input 0 there: 0.0" in message


def test_backward_nan_on_a_value() -> None:
    with pytest.raises(AnomalyError, match=r"backward of op '\*\*' returned inf"), detect_anomaly():
        x = Value(0.0)
        x.sqrt().backward()


def test_nan_seed_is_reported() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    with (
        pytest.raises(AnomalyError, match="backward\\(\\) was given a gradient holding nan"),
        detect_anomaly(),
    ):
        (x * 2).backward(np.array([1.0, np.nan]))


def test_create_graph_backward_names_the_op_being_differentiated() -> None:
    # d/dx sqrt(x) = 0.5 x**-0.5: with create_graph that power is an op of its own, made by
    # the backward of '**'; at 0 it is inf
    x = Tensor([0.0, 1.0], requires_grad=True)
    with pytest.raises(AnomalyError) as info, detect_anomaly():
        y = x.sqrt()  # MARK-cg
        y.sum().backward(create_graph=True)
    message = str(info.value)
    assert message.startswith("op '**' produced inf (at index (0,)) in the forward pass")
    assert "by the backward of op '**' (which was created at" in message
    assert f"{HERE}:{line_of('# MARK-cg')}" in message


def test_finite_computation_is_unchanged() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    with detect_anomaly():
        assert is_anomaly_enabled()
        loss = (x.log() * x).sum()
        loss.backward()
    assert not is_anomaly_enabled()
    np.testing.assert_allclose(x.grad, np.log([1.0, 2.0]) + 1)


def test_off_by_default_nan_just_propagates() -> None:
    x = Tensor([-1.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        y = x.log().sum()
    assert math.isnan(y.item())


def test_decorator_and_nesting() -> None:
    @detect_anomaly()
    def step() -> None:
        assert is_anomaly_enabled()
        with detect_anomaly():
            assert is_anomaly_enabled()
        assert is_anomaly_enabled()
        Value(-1.0).log() if False else (Value(1.0) * math.inf)

    with pytest.raises(AnomalyError, match=r"op '\*' produced inf"):
        step()
    assert not is_anomaly_enabled()


def test_no_grad_forward_is_checked_too() -> None:
    with pytest.raises(AnomalyError, match="op 'log'"), autograd.no_grad(), detect_anomaly():
        Tensor([-1.0]).log()


def test_other_threads_are_not_affected() -> None:
    seen = []

    def worker() -> None:
        seen.append(is_anomaly_enabled())
        with np.errstate(divide="ignore"):
            Tensor([0.0], requires_grad=True).log()  # would raise in anomaly mode

    with detect_anomaly():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
    assert seen == [False]


def test_sites_are_dropped_when_backward_releases_nodes() -> None:
    # a training loop inside the block must not keep every step's graph alive
    w = Tensor([0.5, -0.3], requires_grad=True)
    with detect_anomaly():
        monitor = current_monitor()
        for _ in range(5):
            loss = ((w * 3.0).tanh() ** 2).sum()
            loss.backward()
            w.zero_grad()
        assert len(monitor.sites) == 0


def test_numpy_warnings_do_not_preempt_the_anomaly_error() -> None:
    # pytest turns RuntimeWarning into errors here; the block silences numpy's warning so
    # that our error, which names the op, is what surfaces
    with pytest.raises(AnomalyError), detect_anomaly():
        Tensor([0.0], requires_grad=True).log()
