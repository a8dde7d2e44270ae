"""Issue 18: autograd.jit replays a traced function with exactly the eager results."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Tensor, UntraceableError, Value, draw_graph, jit, no_grad
from autograd.tensor import affine, softmax_cross_entropy
from autograd.testing import graphs


def _fresh(inputs, kind, rng):
    """New data of the same shapes (and the same requires_grad) for another step."""
    if kind == "value":
        return [Value(x.data + rng.uniform(-0.01, 0.01)) for x in inputs]
    return [Tensor(x.numpy() + rng.uniform(-0.01, 0.01, x.shape), requires_grad=x.requires_grad)
            for x in inputs]


def _copies(inputs, kind):
    if kind == "value":
        return [Value(x.data) for x in inputs]
    return [Tensor(x.numpy().copy(), requires_grad=x.requires_grad) for x in inputs]


def _seeded_backward(out):
    if isinstance(out, Value) or out.size == 1:
        out.backward()
    else:
        out.backward(np.linspace(-1.0, 1.0, out.size).reshape(out.shape))


@pytest.mark.parametrize("kind", ["tensor", "value"])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_jit_equals_eager_bit_for_bit_over_several_steps(kind: str, data: st.DataObject) -> None:
    fn, inputs = data.draw(graphs(kind, max_ops=12))
    jitted = jit(fn, strict=True)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # nudged data may leave a domain edge
        for step in range(4):  # trace, checked replay, two plain replays
            xs = inputs if step == 0 else _fresh(inputs, kind, rng)
            eager_xs = _copies(xs, kind)
            got, want = jitted(*xs), fn(*eager_xs)
            assert step == 0 or got.op == "jit"  # after the trace, the plan answered
            np.testing.assert_array_equal(np.asarray(got.data), np.asarray(want.data))
            _seeded_backward(got)
            _seeded_backward(want)
            for x, e in zip(xs, eager_xs):
                np.testing.assert_array_equal(np.asarray(x.grad), np.asarray(e.grad))
    assert jitted.traces == 1 and jitted.eager_because is None


def _mlp(dtype=np.float64):
    rng = np.random.default_rng(0)
    sizes = [8, 16, 4]
    params = []
    for a, b in zip(sizes, sizes[1:]):
        params += [Tensor(rng.normal(size=(a, b)).astype(dtype) * 0.3, requires_grad=True),
                   Tensor(np.zeros(b, dtype), requires_grad=True)]

    def loss(x, labels):
        h = affine(x, params[0], params[1]).relu()
        return softmax_cross_entropy(affine(h, params[2], params[3]), labels, reduction="mean")

    return params, loss


def test_a_training_loop_under_jit_matches_the_eager_loop_and_replays_one_node() -> None:
    rng = np.random.default_rng(1)
    batches = [(rng.normal(size=(5, 8)), rng.integers(0, 4, 5)) for _ in range(6)]
    histories = []
    for use_jit in (False, True):
        params, loss_fn = _mlp()
        step = jit(loss_fn) if use_jit else loss_fn
        losses = []
        for x, labels in batches:
            for p in params:
                p.grad = None
            loss = step(Tensor(x), labels)
            loss.backward()
            with no_grad():
                for p in params:
                    p -= 0.5 * p.grad
            losses.append(loss.item())
        histories.append((losses, [p.numpy().copy() for p in params], loss.op))
    (eager, eager_w, eager_op), (jitted, jit_w, jit_op) = histories
    assert eager == jitted
    for a, b in zip(eager_w, jit_w):
        np.testing.assert_array_equal(a, b)
    assert (eager_op, jit_op) == ("softmax_cross_entropy", "jit")


def test_a_new_shape_traces_again_and_each_signature_is_kept() -> None:
    _, loss_fn = _mlp()
    step = jit(loss_fn)
    for n in (5, 5, 3, 5, 3):
        step(Tensor(np.ones((n, 8))), np.zeros(n, dtype=int))
    assert step.traces == 2 and len(step.plans) == 2


def test_reading_numbers_in_python_falls_back_once_with_a_warning_naming_the_line() -> None:
    w = Tensor([1.0, -1.0], requires_grad=True)

    def branchy(x):
        y = w * x
        return y.sum() if y.data.sum() > 0 else (-y).sum()  # a branch on the data

    step = jit(branchy)
    with pytest.warns(RuntimeWarning, match=r"jit\(branchy\): a read of \.data at .*test_jit"):
        step(Tensor([2.0, 1.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once only
        out = step(Tensor([1.0, 2.0]))  # this branch would have been frozen wrongly
    assert out.item() == 1.0 and step.eager_because is not None
    with pytest.raises(UntraceableError, match="item()"):
        jit(lambda x: x * x.sum().item(), strict=True)(Tensor([1.0]))


def test_a_frozen_random_draw_is_caught_by_the_check_against_eager() -> None:
    rng = np.random.default_rng(0)
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    noisy = jit(lambda x: (w * x * Tensor(rng.normal(size=3))).sum())  # numpy: invisible
    first = noisy(Tensor(np.ones(3)))
    with pytest.warns(RuntimeWarning, match="differed from an eager run"):
        second = noisy(Tensor(np.ones(3)))
    assert first.item() != second.item() and noisy.eager_because is not None


def test_an_array_argument_transformed_by_numpy_is_refused() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    step = jit(lambda x: (w * (x * 2)).sum(), strict=True)  # numpy's x * 2, frozen
    with pytest.raises(UntraceableError, match="argument 0 .* reached no op"):
        step(np.array([1.0, 1.0]))


def test_weights_changed_by_an_optimizer_are_seen_and_a_reshaped_weight_retraces() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    step = jit(lambda x: (w * x).sum())
    for _ in range(3):
        step(Tensor([1.0, 1.0]))
    w.data = np.array([5.0, 5.0])
    assert step(Tensor([1.0, 1.0])).item() == 10.0
    w.data = np.array([1.0, 1.0, 1.0])
    assert step(Tensor([1.0, 1.0, 1.0])).item() == 3.0
    assert step.traces == 2


def test_create_graph_through_a_plan_says_it_is_not_supported() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    cube = jit(lambda t: (t * t * t).sum())
    for _ in range(3):
        out = cube(x)
    with pytest.raises(RuntimeError, match=r"create_graph=True\) through a jit plan"):
        out.backward(create_graph=True)


def test_draw_graph_of_a_jit_call_shows_its_plan() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, name="w")
    step = jit(lambda x: (w * x).tanh().sum())
    for _ in range(3):
        out = step(Tensor([1.0, 3.0]))
    assert out.op == "jit"
    source = step.draw_graph().source
    assert "a jit plan of 3 ops" in source
    for op in ("tanh", "sum"):
        assert op in source
    assert "a jit plan of 3 ops" in draw_graph(out).source  # the node draws its plan
    with pytest.raises(ValueError, match="no plan yet"):
        jit(lambda x: x * 2).draw_graph()


@pytest.mark.parametrize("keep", ["retain_grad", "register_hook"])
def test_what_a_plan_cannot_keep_falls_back_instead_of_vanishing(keep: str) -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    seen = []

    def fn(x):
        h = w * x
        if keep == "retain_grad":
            h.retain_grad()
        else:
            h.register_hook(seen.append)
        return h.sum()

    step = jit(fn)
    with pytest.warns(RuntimeWarning, match=keep):
        step(Tensor([1.0, 1.0]))
    out = step(Tensor([2.0, 2.0]))
    out.backward()
    assert out.op == "sum" and step.eager_because is not None  # eager: the feature works
    if keep == "register_hook":
        assert len(seen) == 1


def test_a_hook_on_a_weight_sees_the_plan_s_gradient() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    seen = []
    w.register_hook(lambda g: seen.append(g.copy()))
    step = jit(lambda x: (w * x).tanh().sum())
    for x in ([1.0, 1.0], [0.5, 2.0], [2.0, 1.0]):
        w.grad = None
        step(Tensor(x)).backward()
    expected = 1 - np.tanh(np.array([2.0, 2.0])) ** 2  # d/dw tanh(w x) = x (1 - tanh^2), x=(2,1)
    np.testing.assert_allclose(seen[-1], expected * np.array([2.0, 1.0]), rtol=1e-12)
    assert len(seen) == 3


def test_keyword_arguments_are_static_and_the_decorator_takes_options() -> None:
    @jit(strict=True)
    def scaled(x, *, factor=2.0):
        return (x * factor).sum()

    x = Tensor([1.0, 2.0], requires_grad=True)
    for factor in (2.0, 3.0, 2.0, 3.0, 2.0):
        assert scaled(x, factor=factor).item() == 3.0 * factor
    assert scaled.traces == 2 and len(scaled.plans) == 2
    with pytest.raises(TypeError, match="pass Tensors and arrays positionally, received factor"):
        scaled(x, factor=Tensor([1.0]))
    with pytest.raises(TypeError, match="hashable"):
        scaled(x, factor=[1.0])


def test_explain_of_a_jitted_step_runs_it_eagerly_and_names_the_way() -> None:
    from autograd import explain

    w = Tensor([2.0, -1.0], requires_grad=True, name="w")
    step = jit(lambda x: (w * x).tanh().sum())
    x = Tensor([0.5, 1.5])
    for _ in range(3):
        out = step(x)
    with pytest.raises(ValueError, match=r"jitted.explain\(\*args\)"):
        explain(out)
    e = step.explain(x)
    np.testing.assert_allclose(e.grad(w), (1 - np.tanh([1.0, -1.5]) ** 2) * [0.5, 1.5],
                               rtol=1e-12)
    assert [s.op for s in e.steps][:1] == ["sum"]


def test_a_closed_over_number_is_frozen_and_an_argument_is_not() -> None:
    state = {"scale": 2.0}
    x = Tensor([1.0, 2.0], requires_grad=True)
    closure = jit(lambda t: (t * state["scale"]).sum())
    argument = jit(lambda t, s: (t * s).sum())
    closure(x)  # the trace
    closure(x)  # on probation: checked against eager
    state["scale"] = 3.0
    assert argument(x, 2.0).item() == 6.0 and argument(x, 3.0).item() == 9.0
    # still on probation (the trace's own data), the check catches the changed number
    with pytest.warns(RuntimeWarning, match="differed from an eager run"):
        assert closure(x).item() == 9.0
    frozen = jit(lambda t: (t * state["scale"]).sum())
    for _ in range(5):  # the trace, then 3 checks on the same data: trusted after them
        frozen(x)
    assert not frozen.checking
    state["scale"] = 4.0
    assert frozen(x).item() == 9.0  # frozen at the trace, as documented (JAX's rule too)
