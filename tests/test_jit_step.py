"""Issue 18: a whole training step (forward, backward(), optimizer update) as one jit plan."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor, UntraceableError, Value, detect_anomaly, jit, no_grad
from autograd.tensor import affine, softmax_cross_entropy
from autograd.tracing import effect


def _params(dtype, seed=0):
    rng = np.random.default_rng(seed)
    sizes = [6, 12, 3]
    params = []
    for a, b in zip(sizes, sizes[1:]):
        params += [Tensor(rng.normal(size=(a, b)).astype(dtype) * 0.4, requires_grad=True),
                   Tensor(np.zeros(b, dtype), requires_grad=True)]
    return params


def _step(params, optimizer, x, labels):
    h = affine(x, params[0], params[1]).relu()
    loss = softmax_cross_entropy(affine(h, params[2], params[3]), labels, reduction="mean")
    optimizer.zero_grad(params)
    loss.backward()
    optimizer.step(params)
    return loss


def _batches(dtype, n=5):
    rng = np.random.default_rng(7)
    return [(rng.normal(size=(4, 6)).astype(dtype), rng.integers(0, 3, 4)) for _ in range(n)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make", [lambda: nn.optimizers.SGD(0.1, momentum=0.9),
                                  lambda: nn.optimizers.Adam(0.01)], ids=["sgd", "adam"])
def test_a_jitted_step_gives_the_eager_losses_weights_and_grads_bit_for_bit(dtype, make) -> None:
    eager_p, jit_p = _params(dtype), _params(dtype)
    eager_opt, jit_opt = make(), make()
    step = jit(lambda x, y: _step(jit_p, jit_opt, x, y), strict=True)
    for x, y in _batches(dtype):
        want = _step(eager_p, eager_opt, Tensor(x), y)
        got = step(Tensor(x), y)
        assert got.item() == want.item()
        for e, j in zip(eager_p, jit_p):
            np.testing.assert_array_equal(j.numpy(), e.numpy())
            np.testing.assert_array_equal(j.grad, e.grad)
            assert j.grad.dtype == e.grad.dtype == dtype
    assert step.traces == 1 and step.eager_because is None and not step.checking
    assert jit_opt.iterations == eager_opt.iterations == 5


def test_the_replayed_step_is_one_call_whose_result_has_no_graph() -> None:
    params, opt = _params(np.float64), nn.optimizers.SGD(0.1)
    step = jit(lambda x, y: _step(params, opt, x, y), strict=True)
    for x, y in _batches(np.float64, 4):
        loss = step(Tensor(x), y)
    assert loss.op == "" and not loss.requires_grad  # the step is done: nothing to backward
    plan = next(iter(step.plans.values()))
    assert plan.backward is None  # forward, backward() and the update: one function
    assert plan.ops[-2:] == ["backward", "effect Optimizer.step"]
    assert plan.ops.count("clear grad") == len(params)
    source = step.draw_graph().source  # the forward as traced, captioned with the rest
    assert "then backward, effect Optimizer.step" in source and "softmax_cross_entropy" in source


def test_clearing_grad_in_the_step_is_replayed_and_without_it_grads_accumulate() -> None:
    def run(clear):
        params = _params(np.float64)
        w = params[0]

        def step(x, y):
            if clear:
                w.grad = None
            h = affine(x, params[0], params[1]).relu()
            softmax_cross_entropy(affine(h, params[2], params[3]), y, reduction="mean").backward()

        jitted = jit(step, strict=True)
        for x, y in _batches(np.float64, 4):
            jitted(Tensor(x), y)
        return w.grad

    eager_p = _params(np.float64)
    for x, y in _batches(np.float64, 4):
        h = affine(Tensor(x), eager_p[0], eager_p[1]).relu()
        softmax_cross_entropy(affine(h, eager_p[2], eager_p[3]), y, reduction="mean").backward()
    total = eager_p[0].grad
    np.testing.assert_array_equal(run(clear=False), total)  # four steps added, as eager
    last = _params(np.float64)
    x, y = _batches(np.float64, 4)[-1]
    h = affine(Tensor(x), last[0], last[1]).relu()
    softmax_cross_entropy(affine(h, last[2], last[3]), y, reduction="mean").backward()
    np.testing.assert_array_equal(run(clear=True), last[0].grad)  # only the last step's


def test_a_step_under_no_grad_or_anomaly_detection_runs_eagerly() -> None:
    params, opt = _params(np.float64), nn.optimizers.SGD(0.1)
    calls = []

    def step(x, y):
        calls.append(1)
        return _step(params, opt, x, y)

    jitted = jit(step, strict=True)
    batches = _batches(np.float64, 4)
    for x, y in batches[:3]:
        jitted(Tensor(x), y)
    ran = len(calls)
    with detect_anomaly():
        jitted(Tensor(batches[3][0]), batches[3][1])
    assert len(calls) == ran + 1  # the Python function itself ran
    with no_grad(), pytest.raises(RuntimeError):
        jitted(Tensor(batches[3][0]), batches[3][1])  # eager: backward() under no_grad fails


def test_an_effect_given_a_tensor_made_in_the_step_falls_back_with_a_warning() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    seen = []
    record = effect(lambda t: seen.append(float(t._data.sum())))

    def step(x):
        y = (w * x).sum()
        record(y)  # a per-call value: the plan would hand it the trace's
        return y

    jitted = jit(step)
    with pytest.warns(RuntimeWarning, match="effect"):
        jitted(Tensor([1.0, 1.0]))
    jitted(Tensor([2.0, 2.0]))
    assert seen == [3.0, 6.0] and jitted.eager_because is not None
    with pytest.raises(UntraceableError, match="effect"):
        jit(step, strict=True)(Tensor([1.0, 1.0]))


@pytest.mark.parametrize("what, body", [
    ("a read of .grad", lambda w, loss: w.grad),
    ("an assignment to .grad", lambda w, loss: setattr(w, "grad", np.zeros(2))),
    ("create_graph=True", lambda w, loss: None),
])
def test_what_a_step_plan_cannot_replay_raises_under_strict(what, body) -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)

    def step(x):
        loss = (w * x).sum()
        if what == "create_graph=True":
            loss.backward(create_graph=True)
        else:
            loss.backward()
            body(w, loss)
        return loss

    with pytest.raises(UntraceableError, match=what):
        jit(step, strict=True)(Tensor([1.0, 1.0]))
    w.grad = None
    step(Tensor([3.0, 1.0]))
    want = _array(w.grad)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        lenient = jit(step)
        lenient(Tensor([1.0, 1.0]))
        w.grad = None
        lenient(Tensor([3.0, 1.0]))  # eager from then on: what the function itself does
    np.testing.assert_array_equal(_array(w.grad), want)
    assert lenient.eager_because is not None


def _array(grad):
    return grad.numpy() if isinstance(grad, Tensor) else np.array(grad)


def test_a_scalar_value_step_runs_eagerly_with_the_right_gradients() -> None:
    a = Value(2.0)

    def step(x):
        a.grad = 0.0
        loss = a * x + a
        loss.backward()
        return loss

    jitted = jit(step)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        for v in (1.0, 3.0, 5.0):
            jitted(Value(v))
            assert a.grad == v + 1.0
