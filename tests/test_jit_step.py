"""Issue 18: a whole training step (forward, backward(), optimizer update) as one jit plan."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Tensor, UntraceableError, Value, detect_anomaly, jit, no_grad
from autograd.tensor import affine, softmax_cross_entropy
from autograd.anomaly import _Monitor, set_monitor
from autograd.modes import _MODE
from autograd.testing import graphs
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


def test_an_effect_receives_each_call_s_own_values_and_a_list_of_them_falls_back() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    seen = []
    record = effect(lambda t, x: seen.append((t.item(), x.numpy().sum())))

    def step(x):
        y = (w * x).sum()
        record(y, x)  # the plan hands it this call's loss and argument
        return y

    jitted = jit(step, strict=True)
    for v in (1.0, 2.0, 3.0, 4.0):
        jitted(Tensor([v, v]))
    assert seen == [(3.0 * v, 2.0 * v) for v in (1.0, 2.0, 3.0, 4.0)]
    assert jitted.eager_because is None and not jitted.checking

    listed = effect(lambda items: seen.append(items[0].item()))

    def inside_a_list(x):
        y = (w * x).sum()
        listed([y])  # a container is frozen as it is: its contents would be the trace's
        return y

    with pytest.raises(UntraceableError, match="holding Tensor"):
        jit(inside_a_list, strict=True)(Tensor([1.0, 1.0]))
    lenient = jit(inside_a_list)
    with pytest.warns(RuntimeWarning, match="holding Tensor"):
        lenient(Tensor([1.0, 1.0]))
    lenient(Tensor([2.0, 2.0]))
    assert seen[-2:] == [3.0, 6.0]


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


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_monitored_backward_adds_the_gradients_in_the_plain_order(data) -> None:
    """A jit trace (and detect_anomaly) watch backward through the engine's general path:
    it must add each gradient in the fast path's order, or the trace's own step, and every
    plan written from it, would differ from eager in the last bit."""
    fn, inputs = data.draw(graphs("tensor", max_ops=12))
    results = []
    for monitored in (False, True):
        xs = [Tensor(x.numpy().copy(), requires_grad=x.requires_grad) for x in inputs]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out = fn(*xs)
            seed = np.linspace(-1.0, 1.0, out.size).reshape(out.shape)
            if monitored:  # gradcheck's recording monitor: the general path, no NaN checks
                token = set_monitor(_Monitor(check=False))
                try:
                    out.backward(seed)
                finally:
                    _MODE.reset(token)
            else:
                out.backward(seed)
        results.append([None if x.grad is None else x.grad.copy() for x in xs])
    for plain, watched in zip(*results):
        if plain is None:
            assert watched is None
        else:
            np.testing.assert_array_equal(plain, watched)


def test_a_node_with_three_uses_gets_its_gradients_added_in_one_order_monitored_or_not() -> None:
    # three gradients reach x: (g1 + g2) + g3 and (g1 + g3) + g2 differ in the last bit
    rng = np.random.default_rng(0)

    def grad_of_x(data, monitored):
        x = Tensor(data[0], requires_grad=True)
        a, b, c = (Tensor(d) for d in data[1:])
        out = ((x * a).tanh() + (x * b) * (x * c).exp()).sum()
        token = set_monitor(_Monitor(check=False)) if monitored else None
        try:
            out.backward()
        finally:
            if token is not None:
                _MODE.reset(token)
        return x.grad

    for _ in range(20):
        data = [rng.normal(size=5) for _ in range(4)]
        np.testing.assert_array_equal(grad_of_x(data, False), grad_of_x(data, True))
