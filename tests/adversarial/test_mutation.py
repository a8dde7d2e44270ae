"""Issue 16, item 1: data changed between the forward pass and backward raises, never a
silently wrong gradient (see autograd/mutation.py for how, and what is not seen)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Tensor, Value, no_grad
from autograd.testing import graphs


def _weights_and_input() -> tuple[Tensor, Tensor]:
    return Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])


def test_writing_a_saved_input_in_place_raises_naming_the_op() -> None:
    w, x = _weights_and_input()
    y = (w * x).sum()
    x.data[:] = 100  # the first example: gave w.grad == [100, 100]
    with pytest.raises(RuntimeError, match=r"shape \(2,\) was changed after op '\*'"):
        y.backward()
    assert w.grad is None  # refused before any gradient was stored


def test_replacing_a_leaf_s_data_raises() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    w.data = np.array([5.0, 5.0])  # the second example: gave [10, 10]
    with pytest.raises(RuntimeError, match="changed after op"):
        y.backward()


def test_the_label_of_the_changed_tensor_is_named() -> None:
    w, x = Tensor([1.0], requires_grad=True), Tensor([2.0], name="inputs")
    y = (w * x).exp().sum()
    x.numpy()[0] = 3.0  # numpy() shares the array too
    with pytest.raises(RuntimeError, match="a Tensor 'inputs' of shape"):
        y.backward()


def test_an_optimizer_step_between_forward_and_backward_raises() -> None:
    # the classic two-losses mistake (PyTorch raises here too): the second loss was computed
    # with the weights the step just changed in place
    w, x = _weights_and_input()
    first, second = (w * x).sum(), (w * w).sum()
    first.backward()
    nn.optimizers.SGD(0.1).step([w])
    with pytest.raises(RuntimeError, match="changed after op"):
        second.backward()


def test_a_write_seen_through_a_view_raises() -> None:
    w = Tensor([[1.0, 2.0]], requires_grad=True)
    x = Tensor([1.0, 2.0])
    y = (x.reshape(1, 2) * w).sum()  # reshape's output is a view of x
    x.data[0] = 7.0
    with pytest.raises(RuntimeError, match="changed after op"):
        y.backward()


def test_changing_an_output_the_backward_reads_raises() -> None:
    w = Tensor([0.5, 1.0], requires_grad=True)
    e = w.exp()  # exp's backward reads its own output
    y = e.sum()
    e.data[:] = 0.0
    with pytest.raises(RuntimeError, match="changed after op 'exp'"):
        y.backward()


def test_reading_or_rewriting_the_same_numbers_passes_with_the_right_gradient() -> None:
    w, x = _weights_and_input()
    y = (w * x).sum()
    seen = x.data.copy(), w.data.sum(), y.data  # reads between forward and backward
    x.data[:] = np.array([3.0, 4.0])  # a write of the same values changes nothing
    y.backward()
    np.testing.assert_array_equal(w.grad, [3.0, 4.0])
    assert seen[1] == 3.0


def test_changes_after_backward_are_free_and_the_next_step_sees_them() -> None:
    w, x = _weights_and_input()
    (w * x).sum().backward()
    x.data[:] = 10.0
    with no_grad():
        w -= 1.0  # the PyTorch update idiom; in place on the leaf
    w.grad = None
    (w * x).sum().backward()
    np.testing.assert_array_equal(w.grad, [10.0, 10.0])


def test_a_second_backward_of_a_retained_graph_is_checked_again() -> None:
    w, x = _weights_and_input()
    y = (w * x).sum()
    y.backward(retain_graph=True)
    x.data[1] = -1.0
    with pytest.raises(RuntimeError, match="changed after op"):
        y.backward()


def test_fit_and_a_custom_loop_run_without_false_alarms() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 3)), rng.normal(size=(32, 1))
    model = nn.Sequential([nn.layers.Dense(4, activation="relu", input_dim=3), nn.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert len(history.history["loss"]) == 2


def test_bad_assignments_to_data_are_refused_at_once() -> None:
    t, v = Tensor([1.0, 2.0]), Value(1.0)
    with pytest.raises(TypeError, match="'abc'"):
        t.data = "abc"
    with pytest.raises(TypeError, match="'abc'"):
        v.data = "abc"
    t.data = [1, 2, 3]  # any real array-like is taken, as float
    assert t.data.dtype == np.float64 and t.shape == (3,)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_never_a_silently_wrong_gradient_after_a_write(data: st.DataObject) -> None:
    """Whatever graph and whichever input is changed: backward raises, or its gradients are
    exactly those of a fresh forward pass on the changed inputs (nothing it used changed)."""
    fn, inputs = data.draw(graphs("tensor", max_ops=10))
    out = fn(*inputs)
    loss = out if out.size == 1 else out.sum()
    k = data.draw(st.integers(0, len(inputs) - 1), label="changed input")
    scale = data.draw(st.sampled_from([1.0 + 1e-6, 0.5, -1.0]), label="factor")
    inputs[k].data[...] *= scale
    try:
        loss.backward()
    except RuntimeError as error:
        assert "changed after op" in str(error)
        return
    fresh = [Tensor(x.numpy().copy(), requires_grad=True) for x in inputs]
    again = fn(*fresh)
    (again if again.size == 1 else again.sum()).backward()
    for used, new in zip(inputs, fresh):
        if used.grad is None:
            assert new.grad is None or not np.any(new.grad)
        else:
            np.testing.assert_allclose(used.grad, new.grad, rtol=1e-12, atol=1e-12)
