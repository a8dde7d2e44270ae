"""Higher-order gradients: backward(create_graph=True), grad/value_and_grad/jacobian/hessian,
checked against closed forms, and gradgradcheck over every entry of the op table."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

import numpy as np
import pytest
import test_op_gradients as first_order  # the first-order property tests, for CUBE below
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

import autograd
from autograd import (
    GradcheckError,
    Tensor,
    Value,
    grad,
    gradgradcheck,
    hessian,
    jacobian,
    no_grad,
    value_and_grad,
)
from autograd.engine import Function, Node, raw, run_backward
from autograd.gradcheck import numerical_jacobian
from autograd.optable import OPS, OpSpec, case_id, cases, declared
from autograd.testing import op_inputs

RNG = np.random.default_rng(20)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# ---------------------------------------------------------------------------------------
# Closed-form second derivatives

# (f, f'', points) with f written once for Value, Tensor and the functional API
CLOSED_FORMS: dict[str, tuple[Callable[[Any], Any], Callable[[float], float], list[float]]] = {
    "tanh": (
        lambda x: x.tanh(),
        lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2),
        [-1.3, 0.2, 0.9],
    ),
    "sigmoid": (
        lambda x: x.sigmoid(),
        lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 - 2 * sigmoid(x)),
        [-2.0, 0.4, 3.0],
    ),
    "x**3 * exp(x)": (
        lambda x: x**3 * x.exp(),
        lambda x: (x**3 + 6 * x**2 + 6 * x) * math.exp(x),
        [-1.5, 0.3, 1.1],
    ),
    "log": (lambda x: x.log(), lambda x: -1 / x**2, [0.3, 1.0, 4.0]),
}


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_second_derivative_by_nested_grad(name: str) -> None:
    f, second, points = CLOSED_FORMS[name]
    for x in points:
        assert grad(grad(f))(x) == pytest.approx(second(x), rel=1e-10)


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_second_derivative_by_backward_create_graph(name: str) -> None:
    f, second, points = CLOSED_FORMS[name]
    for x0 in points:
        x = Value(x0)
        f(x).backward(create_graph=True)
        first = x.grad
        assert isinstance(first, Value) and first.requires_grad  # a node with a graph
        x.grad = 0.0
        first.backward()
        assert x.grad == pytest.approx(second(x0), rel=1e-10)


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_second_derivative_of_tensor_elementwise(name: str) -> None:
    f, second, points = CLOSED_FORMS[name]
    x = Tensor(points, requires_grad=True)
    f(x).sum().backward(create_graph=True)
    first = x.grad
    assert isinstance(first, Tensor) and first.requires_grad
    x.zero_grad()
    first.sum().backward()
    np.testing.assert_allclose(x.grad, [second(p) for p in points], rtol=1e-10)


def test_third_derivative_by_nesting() -> None:
    f = lambda x: x**3 * x.exp()
    third = lambda x: (x**3 + 9 * x**2 + 18 * x + 6) * math.exp(x)
    assert grad(grad(grad(f)))(0.6) == pytest.approx(third(0.6), rel=1e-10)


def test_linear_function_has_a_constant_gradient() -> None:
    # the seed of a create_graph backward is a constant, so d(3x)/dx does not require grad
    x = Value(2.0)
    (3 * x).backward(create_graph=True)
    assert x.grad.data == 3.0 and not x.grad.requires_grad


def test_create_graph_keeps_the_forward_graph() -> None:
    # the gradient's graph refers to forward nodes (exp's output): retain_graph defaults on
    x = Tensor([0.5, 1.5], requires_grad=True)
    x.exp().sum().backward(create_graph=True)
    g = x.grad
    x.zero_grad()
    g.sum().backward()
    np.testing.assert_allclose(x.grad, np.exp([0.5, 1.5]))


def test_deep_chain_second_derivative_is_iterative() -> None:
    def f(x: Any) -> Any:
        for _ in range(3000):
            x = x * 1.0001
        return x * x

    c = 1.0001**3000
    assert grad(grad(f))(0.5) == pytest.approx(2 * c * c, rel=1e-9)


# ---------------------------------------------------------------------------------------
# The functional API: kinds in, kinds out


def test_kinds_are_preserved() -> None:
    square = lambda x: (x * x).sum() if isinstance(x, Tensor) else x * x
    assert grad(square)(3.0) == 6.0 and type(grad(square)(3.0)) is float
    assert grad(square)(3) == 6.0 and type(grad(square)(3)) is float
    out = grad(square)(np.array([1.0, -2.0]))
    assert type(out) is np.ndarray
    np.testing.assert_array_equal(out, [2.0, -4.0])
    v = grad(square)(Value(3.0, requires_grad=False))
    assert type(v) is Value and v.data == 6.0 and not v.requires_grad
    t = grad(square)(Tensor([1.0, -2.0]))
    assert type(t) is Tensor and not t.requires_grad
    np.testing.assert_array_equal(t.data, [2.0, -4.0])


def test_float32_arrays_keep_their_dtype() -> None:
    out = grad(lambda x: (x * x).sum())(np.array([1.0, 2.0], dtype=np.float32))
    assert out.dtype == np.float32


def test_value_and_grad() -> None:
    value, gradient = value_and_grad(lambda x: x.exp())(0.0)
    assert (value, gradient) == (1.0, 1.0)
    value, gradient = value_and_grad(lambda x: (x**2).sum())(np.array([1.0, 2.0]))
    assert float(value) == 5.0
    np.testing.assert_array_equal(gradient, [2.0, 4.0])
    value, gradient = value_and_grad(lambda x: x * 2)(Value(3.0, requires_grad=False))
    assert isinstance(value, Value) and value.data == 6.0 and gradient.data == 2.0


def test_argnums() -> None:
    f = lambda x, y, z: x * y * y + z
    assert grad(f)(2.0, 3.0, 1.0) == 9.0
    assert grad(f, argnums=1)(2.0, 3.0, 1.0) == 12.0
    assert grad(f, argnums=-1)(2.0, 3.0, 1.0) == 1.0
    assert grad(f, argnums=(0, 1))(2.0, 3.0, 1.0) == (9.0, 12.0)
    assert grad(f, argnums=(1, 1))(2.0, 3.0, 1.0) == (12.0, 12.0)


def test_mixed_kinds_and_keyword_arguments() -> None:
    def f(w: Tensor, x: np.ndarray, scale: float = 1.0) -> Tensor:
        return ((w * x).sum() * scale).tanh()

    w, x = np.array([0.1, -0.2]), np.array([1.0, 2.0])
    out = grad(f)(w, x, scale=0.5)
    expected = 0.5 * x * (1 - math.tanh(0.5 * float(w @ x)) ** 2)
    np.testing.assert_allclose(out, expected)


def test_partial_derivative_when_the_same_node_is_used_twice() -> None:
    # differentiating argument 0 treats argument 1 (the same node) as a separate variable
    x = Value(3.0)
    assert grad(lambda a, b: a * b, argnums=0)(x, x).data == 3.0
    assert grad(lambda a, b: a * b, argnums=(0, 1))(x, x)[1].data == 3.0
    # and a closed-over node is a constant for the inner derivative
    assert grad(lambda a: a * x)(x).data == 3.0


def test_grad_leaves_dot_grad_alone_and_works_under_no_grad() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    grad(lambda t: (t * t).sum())(x)
    assert x.grad is None
    with no_grad():
        out = grad(lambda t: (t * t).sum())(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(out, [2.0, 4.0])


def test_nested_result_is_connected_to_the_outer_graph() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    g = grad(lambda t: (t**3).sum())(x)  # 3x**2
    assert isinstance(g, Tensor) and g.requires_grad
    g.sum().backward()
    np.testing.assert_allclose(x.grad, [6.0, 12.0])


def test_closed_over_node_keeps_the_gradient_connected() -> None:
    # a gradient penalty: d/dw of |d/dx sum(tanh(x * w))|**2, with x a constant Tensor
    x0 = np.array([0.3, -0.8, 1.1])
    w = Tensor([0.5, 1.5, -0.7], requires_grad=True)

    def penalty(weights: Tensor) -> Tensor:
        dx = grad(lambda x: (x * weights).tanh().sum())(Tensor(x0))
        return (dx**2).sum()

    assert penalty(w).requires_grad
    assert autograd.gradcheck(penalty, w)
    # and JAX-style nesting through a closure: d/dw [d/dx (x * w)] = d/dw [w] = 1
    inner = lambda w: grad(lambda x: x * w)(Value(2.0, requires_grad=False))
    assert grad(inner)(3.0) == 1.0


def test_plain_numbers_come_back_plain_even_with_closures() -> None:
    w = Value(3.0)
    out = grad(lambda x: x * w)(2.0)
    assert type(out) is float and out == 3.0


def test_under_no_grad_results_are_not_connected() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        g = grad(lambda t: (t**3).sum())(x)
    assert isinstance(g, Tensor) and not g.requires_grad
    np.testing.assert_allclose(g.data, [3.0, 12.0])


def test_functional_call_leaves_no_stale_gradient_behind() -> None:
    # a nested grad differentiates w.r.t. an alias of x; x's own backward must not see
    # gradient left over from it (the pruned part of the graph)
    x = Value(2.0)
    grad(lambda a: a * a)(x)
    (x * 3).backward()
    assert x.grad == 3.0


def test_constant_function_has_zero_gradient() -> None:
    assert grad(lambda x: 5.0)(2.0) == 0.0
    np.testing.assert_array_equal(grad(lambda x: Tensor(1.0))(np.ones(3)), np.zeros(3))
    np.testing.assert_array_equal(hessian(lambda x: (2 * x).sum())(np.ones(2)), np.zeros((2, 2)))


def test_non_scalar_output_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match=r"scalar.*shape \(3,\).*jacobian"):
        grad(lambda x: x * 2)(np.ones(3))


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="argument 0 must be a float.*list"):
        grad(lambda x: x)([1.0, 2.0])
    with pytest.raises(TypeError, match="argnums must be an int or a tuple"):
        grad(lambda x: x, argnums="0")(1.0)
    with pytest.raises(TypeError, match="argnums"):
        grad(lambda x: x, argnums=())(1.0)
    with pytest.raises(ValueError, match="argument 2.*1 positional"):
        grad(lambda x: x, argnums=2)(1.0)
    with pytest.raises(TypeError, match="must return a Value or a single-element Tensor"):
        grad(lambda x: "nope")(1.0)
    with pytest.raises(TypeError, match="argnums must be an int"):
        hessian(lambda x: x, argnums=(0,))
    with pytest.raises(TypeError, match="a Value cannot flow into a Tensor"):
        jacobian(lambda x: Tensor([1.0, 2.0]))(1.0)


# ---------------------------------------------------------------------------------------
# Hessians and Jacobians


def test_hessian_of_a_quadratic_form() -> None:
    A = RNG.standard_normal((4, 4))
    x = RNG.standard_normal(4)
    H = hessian(lambda v: v @ A @ v)(Tensor(x))
    assert isinstance(H, Tensor) and H.shape == (4, 4)
    np.testing.assert_allclose(H.data, A + A.T, rtol=1e-12, atol=1e-12)


def test_hessian_of_log_sum_exp() -> None:
    x = RNG.standard_normal(5)
    H = hessian(lambda v: v.exp().sum().log())(Tensor(x))
    s = np.exp(x) / np.exp(x).sum()
    np.testing.assert_allclose(H.data, np.diag(s) - np.outer(s, s), atol=1e-12)


def test_hessian_of_a_matrix_argument_has_shape_s_plus_s() -> None:
    x = RNG.standard_normal((2, 3))
    H = hessian(lambda m: (m**3).sum())(x)
    assert H.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(H.reshape(6, 6), np.diag(6 * x.reshape(-1)), atol=1e-12)


def test_hessian_of_two_arguments_blocks() -> None:
    f = lambda x, y: (x * x * y).sum()
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    np.testing.assert_allclose(hessian(f, argnums=0)(x, y), np.diag(2 * y))
    np.testing.assert_allclose(hessian(f, argnums=1)(x, y), np.zeros((2, 2)))
    assert hessian(lambda v: v.log())(2.0) == -0.25


JACOBIAN_CASES: dict[str, tuple[Callable[[Tensor], Tensor], tuple[int, ...]]] = {
    "softmax": (lambda x: x.softmax(), (4,)),
    "matrix tanh": (lambda x: (x @ x.T).tanh(), (2, 3)),
    "row sums": (lambda x: (x * x).sum(axis=1), (3, 2)),
    "scalar": (lambda x: (x.exp() * x).sum(), (3,)),
    "repeated gather": (lambda x: x[[0, 0, 2]] * x[[1, 1, 1]], (3,)),
}


@pytest.mark.parametrize("name", JACOBIAN_CASES)
def test_jacobian_against_numerical_jacobian(name: str) -> None:
    f, shape = JACOBIAN_CASES[name]
    x = RNG.standard_normal(shape)
    J = jacobian(f)(x)
    leaf = Tensor(x.copy(), requires_grad=True)
    out_shape = f(leaf).shape
    numeric = numerical_jacobian(f, (leaf,), leaf, 1e-6)
    assert J.shape == out_shape + shape
    np.testing.assert_allclose(J.reshape(numeric.shape), numeric, rtol=1e-6, atol=1e-8)


def test_jacobian_of_two_arguments_and_of_a_jacobian() -> None:
    A = RNG.standard_normal((2, 3))
    x = RNG.standard_normal(3)
    JA, Jx = jacobian(lambda a, v: a @ v, argnums=(0, 1))(A, x)
    np.testing.assert_allclose(Jx, A)
    np.testing.assert_allclose(JA, np.einsum("ij,k->ijk", np.eye(2), x))
    # nested: the Jacobian of the gradient is the Hessian
    H = jacobian(grad(lambda v: (v**3).sum()))(x)
    np.testing.assert_allclose(H, np.diag(6 * x), atol=1e-12)


# ---------------------------------------------------------------------------------------
# gradgradcheck over every entry of the op table (tests/test_op_gradients.py checks the first
# derivatives of the same entries): a new entry is checked here with no edit


def readout(y: Any) -> Any:
    """y + y**2 / 2: the output's gradient (1 + y) then depends on the inputs, so even a linear
    op's backward runs on nodes and is differentiated again; y's own second derivative counts
    too (a squared readout alone would hide it wherever y is 0)."""
    return y + y * y * 0.5


def twice(fn: Callable[..., Any]) -> Callable[..., Any]:
    return lambda *args: readout(fn(*args))


SECOND = [case for case in cases(OPS) if not case[0].once_differentiable]
ONCE = [case for case in cases(OPS) if case[0].once_differentiable]
# a few examples each: gradgradcheck costs several gradchecks (CHAINRULE_EXAMPLES scales it)
FEWER = max(3, settings().max_examples // 12)


@settings(max_examples=FEWER)
@pytest.mark.parametrize(("spec", "kind"), SECOND, ids=[case_id(c) for c in SECOND])
@given(data=st.data())
def test_second_derivative_matches_finite_differences(
    spec: OpSpec, kind: str, data: st.DataObject
) -> None:
    args = data.draw(op_inputs(spec, kind), label="args")
    assert gradgradcheck(twice(spec.fn), *args)


def _first_order_only(spec: OpSpec, kind: str) -> bool:
    """True when gradgradcheck finds a wrong second derivative at some drawn arguments."""

    def wrong(args: tuple[Any, ...]) -> bool:
        try:
            gradgradcheck(twice(spec.fn), *args)
        except GradcheckError:
            return True
        return False

    try:
        find(op_inputs(spec, kind), wrong, settings=settings(database=None, max_examples=50))
    except NoSuchExample:
        return False
    return True


@pytest.mark.parametrize("table", ["OPS", "this module's"])
def test_a_once_differentiable_declaration_is_true_and_gives_a_reason(table: str) -> None:
    declared = ONCE if table == "OPS" else [c for c in cases(LOCAL) if c[0].once_differentiable]
    assert declared or table == "OPS"  # the table itself needs none today
    for spec, kind in declared:
        assert len(spec.once_differentiable.split()) >= 3, f"{spec.name}: say why"
        # a declaration that became false (the op was fixed) is stale: drop it, get checked
        assert _first_order_only(spec, kind), f"{spec.name} ({kind}) is differentiable twice"


def test_every_primitive_is_differentiated_twice() -> None:
    """Every op class of ops.py in the graph of some entry's create_graph gradient: forward
    nodes and backward's own (Scatter is indexing's adjoint: only a gradient holds it)."""
    seen: set[type[Function]] = set()
    for spec, kind in SECOND:
        args = first_order._one_example(op_inputs(spec, kind))
        out = twice(spec.fn)(*args)
        total = out.sum() if isinstance(out, Tensor) else out
        first = run_backward(total, create_graph=True, inputs=list(args))
        assert first is not None
        for g in first.values():
            if isinstance(g, Node):
                seen |= first_order._ops_in(g)
        seen |= first_order._ops_in(out)
    missing = {cls.__name__ for cls in first_order._primitives() - seen}
    assert not missing, f"primitives whose second derivative no entry checks: {sorted(missing)}"


# Ops declared here as ops.py declares its own, the class with its table entry, and collected
# by the same `declared()` that builds OPS: the table-driven property tests pick them up with
# no other edit


def _np_cube(a: Any) -> Any:
    return np.power(a, 3)


class Cube(Function):
    """x**3, with a backward written on nodes: right to both orders."""

    __slots__ = ()

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.unary("cube", Cube.apply, _np_cube, t.Domain(-3.0, 3.0), expr="{0} ** 3"),)

    def forward(self, a: Any) -> Any:
        return a * a * a

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g * 3 * a * a,)


class RawCube(Function):
    """x**3 whose backward uses raw data: first derivative right, second derivative zero."""

    __slots__ = ()
    name = "rawcube"

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.unary("rawcube", RawCube.apply, _np_cube, t.Domain(-3.0, 3.0),
                        once_differentiable="its backward computes on raw data"),)

    def forward(self, a: Any) -> Any:
        return a**3

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g * 3 * raw(a) ** 2,)


LOCAL = declared([Cube, RawCube])
CUBE = LOCAL[0]
RAW_CUBE = dataclasses.replace(LOCAL[1], once_differentiable="")  # as if it were not declared


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_an_op_declared_in_a_test_module_is_checked_to_both_orders(kind: str) -> None:
    first_order.test_entry_matches_numpy_and_finite_differences(CUBE, kind)
    test_second_derivative_matches_finite_differences(CUBE, kind)
    # and the checks have teeth: a backward right to first order only passes the first...
    first_order.test_entry_matches_numpy_and_finite_differences(RAW_CUBE, kind)
    # ...and fails the second, unless its entry declares it once_differentiable with a reason
    with pytest.raises(GradcheckError, match="Second-derivative mismatch"):
        test_second_derivative_matches_finite_differences(RAW_CUBE, kind)


# ---------------------------------------------------------------------------------------
# gradgradcheck catches a backward that is right to first order only


def test_gradgradcheck_catches_a_first_order_only_backward() -> None:
    x = Tensor([0.5, -1.0], requires_grad=True)
    assert autograd.gradcheck(lambda t: RawCube.apply(t), x)
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(lambda t: RawCube.apply(t * 2).sum(), x)
    message = str(info.value)
    assert "Second-derivative mismatch in the gradient with respect to input 0" in message
    assert "numerical:  24.0" in message or "numerical:  23.99" in message
    assert "analytical: 0.0" in message
    assert "op 'rawcube'" in message and "test_higher_order.py" in message


def test_gradgradcheck_needs_an_input_that_requires_grad() -> None:
    with pytest.raises(ValueError, match="at least one input"):
        gradgradcheck(lambda x: x * x, Tensor([1.0]))
