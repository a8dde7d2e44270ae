"""Higher-order gradients: backward(create_graph=True), grad/value_and_grad/jacobian/hessian,
gradgradcheck over every op, checked against closed forms."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest

import autograd
from autograd import (
    GradcheckError,
    Tensor,
    Value,
    concatenate,
    grad,
    gradgradcheck,
    hessian,
    jacobian,
    maximum,
    minimum,
    no_grad,
    stack,
    value_and_grad,
    where,
)
from autograd import ops
from autograd.engine import Function, raw
from autograd.gradcheck import numerical_jacobian
from autograd.tensor import affine, softmax_cross_entropy

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
# gradgradcheck over every op


def square(y: Any) -> Any:
    """Makes a linear op's second derivative non-trivial: its backward then runs on nodes."""
    return y * y


POS = RNG.uniform(0.5, 2.0, (2, 3))
ANY = RNG.uniform(-2.0, 2.0, (2, 3))
AWAY = np.where(ANY >= 0, ANY + 0.3, ANY - 0.3)  # away from the kinks at 0
VEC = RNG.standard_normal(3)

# name -> (fn, raw inputs); every input is checked
TENSOR_OPS: dict[str, tuple[Callable[..., Any], tuple[np.ndarray, ...]]] = {
    "exp": (lambda x: x.exp(), (ANY,)),
    "log": (lambda x: x.log(), (POS,)),
    "tanh": (lambda x: x.tanh(), (ANY,)),
    "sigmoid": (lambda x: x.sigmoid(), (ANY,)),
    "relu": (lambda x: square(x.relu()), (AWAY,)),
    "abs": (lambda x: square(abs(x)), (AWAY,)),
    "sqrt": (lambda x: x.sqrt(), (POS,)),
    "pow 2": (lambda x: x**2, (ANY,)),
    "pow 3": (lambda x: x**3, (ANY,)),
    "pow -1": (lambda x: x**-1, (POS,)),
    "pow 2.5": (lambda x: x**2.5, (POS,)),
    "node exponent": (lambda x, y: x**y, (POS, ANY)),
    "neg": (lambda x: square(-x), (ANY,)),
    "add broadcast": (lambda x, b: square(x + b), (ANY, VEC)),
    "sub": (lambda x, y: square(x - y), (ANY, POS)),
    "mul": (lambda x, y: x * y, (ANY, POS)),
    "div": (lambda x, y: x / y, (ANY, POS)),
    "softmax": (lambda x: x.softmax(), (ANY,)),
    "softmax axis 0": (lambda x: x.softmax(axis=0), (ANY,)),
    "log_softmax": (lambda x: x.log_softmax(), (ANY,)),
    "sum": (lambda x: square(x.sum()), (ANY,)),
    "sum axis keepdims": (lambda x: square(x.sum(axis=0, keepdims=True)), (ANY,)),
    "mean": (lambda x: square(x.mean(axis=1)), (ANY,)),
    "max": (lambda x: square(x.max(axis=1)), (ANY,)),
    "min": (lambda x: square(x.min()), (ANY,)),
    "reshape": (lambda x: square(x.reshape(3, 2)), (ANY,)),
    "transpose": (lambda x: square(x.T), (ANY,)),
    "swapaxes": (lambda x: square(x.reshape(1, 2, 3).swapaxes(0, 2)), (ANY,)),
    "getitem slice": (lambda x: square(x[:, 1:]), (ANY,)),
    "getitem repeated ints": (lambda x: square(x[[0, 0, 1, 0]]), (ANY,)),
    "getitem repeated pairs": (lambda x: square(x[[1, 1, 0], [2, 2, 0]]), (ANY,)),
    "clip": (lambda x: square(x.clip(-1.0, 1.0)), (AWAY * 0.6,)),
    "matmul": (lambda a, b: square(a @ b), (ANY, ANY.T.copy())),
    "matmul vector": (lambda a, v: square(a @ v), (ANY, VEC)),
    "vector matmul": (lambda v, a: square(v @ a), (VEC, ANY.T.copy())),
    "dot": (lambda v, w: square(v @ w), (VEC, VEC[::-1].copy())),
    "batched matmul": (lambda a, b: square(a @ b), (ANY.reshape(2, 1, 3), ANY.T.copy())),
    "where": (lambda x, y: square(where(ANY > 0, x, y)), (ANY, POS)),
    "maximum": (lambda x, y: square(maximum(x, y)), (ANY, ANY + 0.5 * np.sign(ANY))),
    "minimum": (lambda x, y: square(minimum(x, y)), (ANY, ANY + 0.5 * np.sign(ANY))),
    "concatenate": (lambda x, y: square(concatenate([x, y], axis=1)), (ANY, POS)),
    "stack": (lambda x, y: square(stack([x, y], axis=1)), (ANY, POS)),
    "broadcast_to": (lambda v: square(v.broadcast_to((2, 3))), (VEC,)),
    "softmax_cross_entropy": (lambda x: softmax_cross_entropy(x, [2, 0]), (ANY,)),
    "softmax_cross_entropy mean": (
        lambda x: softmax_cross_entropy(x, [2, 0], reduction="mean"),
        (ANY,),
    ),
    "softmax_cross_entropy sum 3d": (
        lambda x: softmax_cross_entropy(x.reshape(1, 2, 3), [[1, 1]], reduction="sum"),
        (ANY,),
    ),
    "affine": (lambda x, w, b: square(affine(x, w, b)), (ANY, ANY.T.copy(), VEC[:2].copy())),
    "affine vector": (lambda v, w, b: square(affine(v, w, b)), (VEC, ANY.T.copy(), VEC[:2].copy())),
    "softmax_cross_entropy 3d": (
        lambda x: softmax_cross_entropy(x.reshape(1, 2, 3), [[1, 1]]),
        (ANY,),
    ),
    "pad": (lambda x: square(autograd.pad(x, [(1, 0), (0, 2)], value=0.5)), (ANY,)),
    "sliding windows": (
        lambda x: square(autograd.sliding_windows(x.reshape(1, 2, 3, 1), 2, dilation=(1, 2))),
        (ANY,),
    ),
    "unwindows": (
        lambda g: square(ops.Unwindows.apply(g.reshape(1, 3, 2, 1), shape=(1, 4, 1), window=(2,),
                                             strides=(1,), dilation=(1,))),
        (ANY,),
    ),
    "conv same strided": (
        lambda x, k: square(autograd.conv(x.reshape(1, 3, 2), k.reshape(2, 2, 1), strides=2,
                                          padding="same")),
        (ANY, POS[:, :2].copy()),
    ),
    "max_pool": (lambda x: square(autograd.max_pool(x.reshape(1, 2, 3, 1), 2, 1)), (ANY,)),
    "avg_pool same": (
        lambda x: square(autograd.avg_pool(x.reshape(1, 6, 1), 4, 2, padding="same")),
        (ANY,),
    ),
    "lstm_cell": (
        lambda x, hc, k: square(ops.LSTMCell.apply(
            ops.Unstack.apply(x.reshape(3, 1, 4) * 3, axis=0), hc.reshape(2, 1, 1),
            k.reshape(1, 4), step=1)),
        (np.concatenate([ANY.ravel(), POS.ravel()]).copy(), ANY[:, :1].copy(),
         ANY[:, 1:3].reshape(1, 4).copy()),
    ),
    "unstack": (
        lambda x: square(autograd.unstack(x, axis=1)[2] * autograd.unstack(x)[1][0]), (ANY,)
    ),
}


@pytest.mark.parametrize("name", TENSOR_OPS)
def test_gradgradcheck_tensor_op(name: str) -> None:
    fn, raws = TENSOR_OPS[name]
    inputs = [Tensor(r.copy(), requires_grad=True) for r in raws]
    assert gradgradcheck(fn, *inputs)


VALUE_OPS: dict[str, tuple[Callable[..., Any], tuple[float, ...]]] = {
    "exp": (lambda x: x.exp(), (0.7,)),
    "log": (lambda x: x.log(), (1.3,)),
    "tanh": (lambda x: x.tanh(), (-0.4,)),
    "sigmoid": (lambda x: x.sigmoid(), (0.9,)),
    "relu": (lambda x: square(x.relu()), (0.8,)),
    "abs": (lambda x: square(abs(x)), (-0.8,)),
    "sqrt": (lambda x: x.sqrt(), (2.0,)),
    "pow 3": (lambda x: x**3, (-1.1,)),
    "pow -2": (lambda x: x**-2, (0.9,)),
    "pow 0.5": (lambda x: x**0.5, (1.5,)),
    "node exponent": (lambda x, y: x**y, (1.5, -0.7)),
    "rpow": (lambda x: 2.0**x, (0.3,)),
    "neg": (lambda x: square(-x), (0.3,)),
    "add": (lambda x, y: square(x + y), (0.3, -1.2)),
    "sub": (lambda x, y: square(x - y), (0.3, -1.2)),
    "mul": (lambda x, y: x * y, (0.3, -1.2)),
    "div": (lambda x, y: x / y, (0.3, -1.2)),
    "composite": (lambda x, y: (x * y).tanh() + (x / y).exp(), (0.3, -1.2)),
}


@pytest.mark.parametrize("name", VALUE_OPS)
def test_gradgradcheck_value_op(name: str) -> None:
    fn, raws = VALUE_OPS[name]
    assert gradgradcheck(fn, *[Value(r) for r in raws])


def test_every_op_class_is_covered() -> None:
    # Scatter (indexing's adjoint) shows up only in second derivatives of getitem
    from autograd import ops

    covered = {
        "Add", "Mul", "Neg", "Pow", "Power", "Exp", "Log", "Tanh", "Sigmoid", "Relu", "Abs", "Clip",
        "Where", "MatMul", "Affine", "Sum", "Max", "BroadcastTo", "Reshape", "Transpose", "Index",
        "Scatter", "Concatenate", "LogSoftmax", "SoftmaxCrossEntropy", "Pad", "Windows",
        "Unwindows", "Unstack", "Pick", "LSTMCell",
    }  # fmt: skip
    declared = {
        name
        for name, obj in vars(ops).items()
        if isinstance(obj, type) and issubclass(obj, Function) and obj is not Function
    }
    assert declared <= covered, f"ops without a gradgradcheck here: {declared - covered}"


# ---------------------------------------------------------------------------------------
# gradgradcheck catches a backward that is right to first order only


class RawCube(Function):
    """x**3 whose backward uses raw data: first derivative right, second derivative zero."""

    __slots__ = ()
    name = "rawcube"

    def forward(self, a: Any) -> Any:
        return a**3

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g * 3 * raw(a) ** 2,)


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
