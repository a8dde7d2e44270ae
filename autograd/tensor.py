"""`Tensor`: an ndarray in the graph, with numpy broadcasting and PyTorch's grad idioms."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import arrays, ops
from autograd.arithmetic import Arithmetic
from autograd.engine import Function, Node, apply_binary, apply_ternary, shared
from autograd.inplace import in_place
from autograd.tracing import ACTIVE as _TRACING
from autograd.tracing import grad_cleared, note, replayed
from autograd.modes import _SCOPE, current_scope
from autograd.mutation import CLOCK as _CLOCK
from autograd.mutation import verify_unchanged

Axis = int | tuple[int, ...] | None
_MATMUL, _AFFINE = shared(ops.MatMul), shared(ops.Affine)
_scope_now = _SCOPE.get  # bound once: a method call on an imported name costs more per node
_SEEDS: dict[tuple[tuple[int, ...], Any], np.ndarray] = {}  # backward()'s implicit gradient


def as_array(data: Any, dtype: Any = None, what: str = "Tensor") -> np.ndarray:
    """An ndarray of a real floating dtype: floats keep theirs, everything else is float64.

    >>> as_array([1, 2]).dtype, as_array(np.float32(1.5)).dtype
    (dtype('float64'), dtype('float32'))
    """
    if isinstance(data, Node):
        if not isinstance(data, Tensor):  # a Value: copying its number would cut its graph
            raise TypeError(
                f"{what} cannot be made from a {type(data).__name__} ({data!r}): no op links a "
                "Value to a Tensor, so its gradient would be lost; use "
                f"{what}(value.data) for a constant, or compute with Tensors throughout"
            )
        data = data._data
    if dtype is not None:
        dtype = _float_dtype(dtype, what)
    try:
        array = np.asarray(data, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what} expects numeric data, received {data!r}: {error}") from None
    kind = array.dtype.kind
    if kind in "biu":
        return array.astype(np.float64)
    if kind != "f":
        raise TypeError(
            f"{what} expects real numbers, received {_short(data)} with dtype {array.dtype}"
        )
    return array


def _float_dtype(dtype: Any, what: str) -> np.dtype:
    """`dtype` as a numpy floating dtype, else a clear error (a Tensor holds real floats)."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{what} expects dtype to be a numpy floating dtype such as np.float32, "
            f"received {dtype!r}"
        ) from None
    if resolved.kind != "f":
        raise ValueError(
            f"{what} holds floating-point numbers, received dtype={resolved}: use a floating "
            "dtype (np.float32 or np.float64); integer indices belong in a plain ndarray"
        )
    return resolved


def _check_axis(axis: Any, ndim: int, what: str) -> Axis:
    """`axis` as None, an int or a tuple of distinct ints in range, else a clear error."""
    if axis is None or type(axis) is int:
        return axis  # type: ignore[no-any-return]  # the common cases, checked by the op
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    for ax in axes:
        if isinstance(ax, bool) or not isinstance(ax, (int, np.integer)):
            raise TypeError(
                f"{what} expects axis to be None, an int or a tuple of ints, received {axis!r}"
            )
    axes = tuple(int(ax) for ax in axes)
    inside = [a % ndim for a in axes if -ndim <= a < ndim]  # ops._axes names the others
    if len(set(inside)) != len(inside):
        raise ValueError(f"{what}: axis {axis!r} names an axis twice")
    return axes if isinstance(axis, (tuple, list)) else axes[0]


def _short(data: Any) -> str:
    text = repr(data)
    return text if len(text) < 80 else text[:77] + "..."


class Tensor(Arithmetic, Node):
    """An n-dimensional array that records the operations applied to it.

    Only leaves that require grad keep `.grad` after `backward()` (call `retain_grad()` on an
    intermediate result to keep its gradient too). Gradients accumulate across calls.

    >>> import numpy as np
    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([[2., 4.],
           [6., 8.]])

    `a @ b` is the matrix product (numpy's `matmul`: batched over leading axes, a 1-D operand
    is a vector); either side may be an array or a number list.

    >>> w = Tensor([[1.0], [2.0]], requires_grad=True)
    >>> (x @ w).sum().backward()
    >>> w.grad
    array([[4.],
           [6.]])

    Indexing (`t[i]`, slices, integer or boolean arrays, `None`, `...`) follows numpy; the
    gradient flows back to the picked elements, summed where an index repeats.

    >>> v = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> v[[0, 0, 2]].sum().backward()
    >>> v.grad
    array([2., 0., 1.])
    """

    # `_born`: the mutation clock when this tensor was made; `_touched`: when user code last
    # reached its data (unset until then). mutation.py compares them in backward
    # `_grad`: what `.grad` holds (a property, so that a jit trace sees it cleared)
    __slots__ = ("_born", "_grad", "_retain", "_touched", "scope")
    _broadcasts = True

    def __init__(
        self, data: Any, requires_grad: bool = False, name: str | None = None, dtype: Any = None
    ) -> None:
        self._data = as_array(data, dtype)
        self._born = _CLOCK[0]
        self._grad: Any = None
        self.requires_grad = bool(requires_grad)
        self.label = name
        self._fn = None
        self._a = self._b = None
        self._g = None
        self._n = 0
        self._retain = False
        self.scope = current_scope()

    @classmethod
    def _from_op(cls, data: Any, fn: Function | None, a: Any = None, b: Any = None) -> Tensor:
        node = cls.__new__(cls)
        node._data = data if type(data) is np.ndarray else np.asarray(data)
        node._born = _CLOCK[0]
        node._grad = None
        node.requires_grad = fn is not None
        node.label = None
        node._fn = fn
        node._a = a
        node._b = b
        node._g = None
        node._n = 0
        node._retain = False
        node.scope = _scope_now()
        return node

    def _lift(self, other: Any, what: str = "Tensor arithmetic") -> Any:
        if isinstance(other, Tensor):
            return other
        if isinstance(other, Node):
            raise TypeError(f"cannot combine a Tensor with a {type(other).__name__}: {other!r}")
        if isinstance(other, (int, float)):  # a Python number takes the tensor's dtype
            return np.asarray(other, dtype=self._data.dtype)
        array = as_array(other, what=what)
        if not isinstance(other, np.ndarray) or other.dtype.kind != "f":
            array = array.astype(self._data.dtype, copy=False)
        return array

    def _seed(self, gradient: Any) -> Any:
        if _CLOCK[0] != self._born:  # some tensor's data was reached since this one was made
            verify_unchanged(self)
        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient needs a single-element output, but this "
                    f"Tensor has shape {self._data.shape}: reduce it (e.g. .sum()) or pass "
                    f"backward(gradient) with an array of shape {self._data.shape}"
                )
            key = (self._data.shape, self._data.dtype)
            ones = _SEEDS.get(key)
            if ones is None:  # one read-only 1 per shape and dtype: ops never write their inputs
                ones = _SEEDS[key] = np.ones(self._data.shape, self._data.dtype)
                ones.flags.writeable = False
            return ones
        if isinstance(gradient, Tensor):
            seed = gradient if gradient.requires_grad else gradient._data
        else:
            seed = as_array(gradient, what="backward(gradient)")
        if type(seed) is np.ndarray and seed.dtype != self._data.dtype:
            seed = seed.astype(self._data.dtype)  # float32 stays float32 on every path
        if seed.shape != self._data.shape:
            raise ValueError(
                f"backward(gradient): the gradient has shape {seed.shape} but the output has "
                f"shape {self._data.shape}; they must match"
            )
        return seed

    def _store_grad(self, grad: Any, fresh: bool = False) -> None:
        held = self._grad
        if held is None:
            # Keep the array itself only if nothing else can see it: not handed to another
            # node, not a view of another array. An optimizer may update .grad in place.
            owned = fresh and type(grad) is np.ndarray and grad.base is None
            if owned and grad.dtype is self._data.dtype or isinstance(grad, Node):
                self._grad = grad
            else:
                self._grad = np.array(grad, dtype=self._data.dtype)
        else:
            self._grad = held + grad

    @property
    def grad(self) -> Any:
        """The gradient `backward()` accumulated here (an ndarray of this tensor's shape and
        dtype), or None before any; set it to None to start afresh (as in PyTorch).

        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> (w * w).sum().backward()
        >>> w.grad
        array([2., 4.])
        """
        if _TRACING[0]:
            note("a read of .grad")
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if _TRACING[0] and not (value is None and grad_cleared(self)):
            note("an assignment to .grad")
        self._grad = value

    def _retains_grad(self) -> bool:
        return self._fn is None or self._retain

    # -- PyTorch-style state ---------------------------------------------------------------
    def retain_grad(self) -> None:
        """Keep `.grad` on this intermediate result after backward() (as in PyTorch).

        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> h = x * 3
        >>> h.retain_grad()
        >>> (h * h).sum().backward()
        >>> h.grad, x.grad
        (array([ 6., 12.]), array([18., 36.]))
        """
        if _TRACING[0]:  # a jit plan keeps no intermediate nodes: this .grad would not come
            note("retain_grad() on a result inside the traced function")
        self._retain = True

    def zero_grad(self) -> None:
        """Clear `.grad` (to None, as PyTorch does), so the next backward starts afresh.

        >>> x = Tensor([1.0], requires_grad=True)
        >>> (x * 2).sum().backward()
        >>> x.grad
        array([2.])
        >>> x.zero_grad()
        >>> x.grad is None
        True
        """
        self.grad = None  # the property: a jit trace records it

    def detach(self) -> Tensor:
        """The same data as a new leaf that does not require grad (PyTorch's `detach`).

        Gradients stop there: use it for targets or values that must be treated as constants.

        >>> x = Tensor([2.0], requires_grad=True)
        >>> (x * x.detach()).sum().backward()  # d/dx of x * c is c
        >>> x.grad, x.detach().requires_grad
        (array([2.]), False)
        """
        return Tensor(self._data, requires_grad=False, name=self.label)

    @property
    def name(self) -> str | None:
        """The label shown in `repr` and in `draw_graph` (settable; None by default).

        >>> w = Tensor([1.0], name="w")
        >>> w.name = "weight"
        >>> w
        Tensor([1.], name='weight')
        """
        return self.label

    @name.setter
    def name(self, value: str | None) -> None:
        self.label = value

    # -- array facts -----------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape, as numpy's `ndarray.shape`.

        >>> Tensor([[1.0, 2.0, 3.0]]).shape
        (1, 3)
        """
        return self._data.shape

    @property
    def ndim(self) -> int:
        """The number of axes.

        >>> Tensor([[1.0, 2.0, 3.0]]).ndim
        2
        """
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        """The floating dtype: float data keeps its own, ints and lists become float64.

        >>> Tensor([1, 2]).dtype, Tensor(np.ones(2, dtype=np.float32)).dtype
        (dtype('float64'), dtype('float32'))
        """
        return self._data.dtype

    @property
    def size(self) -> int:
        """The number of elements.

        >>> Tensor(np.zeros((2, 3))).size
        6
        """
        return self._data.size

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d Tensor")
        return len(self._data)

    def item(self) -> float:
        """The single element as a Python float (raises ValueError if there are several).

        >>> Tensor([[2.5]]).item()
        2.5
        """
        if _TRACING[0]:
            note("item()")
        return self._data.item()

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied), as PyTorch's `Tensor.numpy()`.

        Writing into it between the forward pass and backward is caught, as for `data`.

        >>> Tensor([1.0, 2.0], requires_grad=True).numpy()
        array([1., 2.])
        """
        _CLOCK[0] = self._touched = _CLOCK[0] + 1  # a write may follow: see mutation.py
        if _TRACING[0]:
            note("numpy()", self, self._data)
        return self._data

    @property
    def data(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied): read it, or write it in place.

        Changing it between the forward pass and `backward()` makes backward raise instead
        of returning a gradient for numbers the forward pass never saw (as PyTorch does for
        an in-place change of a saved tensor; see `autograd.mutation`). Assigning it takes
        any real array-like and refuses anything else at once.

        >>> w, x = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
        >>> y = (w * x).sum()
        >>> x.data[:] = 100
        >>> y.backward()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        RuntimeError: the data of a Tensor of shape (2,) was changed after op '*' used it ...
        >>> x.data = "abc"
        Traceback (most recent call last):
        ...
        TypeError: Tensor.data expects real numbers, received 'abc' with dtype <U3
        """
        _CLOCK[0] = self._touched = _CLOCK[0] + 1  # a write may follow: see mutation.py
        if _TRACING[0]:
            note("a read of .data", self, self._data)
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        if _TRACING[0]:
            note("an assignment to .data")
        if value is not self._data:  # `t.data -= x` stores the same array back: no check
            value = as_array(value, what="Tensor.data")
        _CLOCK[0] = self._touched = _CLOCK[0] + 1
        self._data = value

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", prefix="Tensor(")
        extras = "".join(
            [
                f", dtype={self._data.dtype}" if self._data.dtype != np.float64 else "",
                ", requires_grad=True" if self.requires_grad else "",
                f", name={self.label!r}" if self.label else "",
            ]
        )
        return f"Tensor({body}{extras})"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> Any:
        """Jupyter shows the repr and, for a tensor an op made, its graph as inline SVG.

        >>> Tensor([1.0, 2.0])._repr_mimebundle_()  # a leaf is one box: its repr is enough
        {'text/plain': 'Tensor([1., 2.])'}
        """
        from autograd.display import node_bundle  # a notebook's concern, loaded on first use

        return node_bundle(self, include, exclude)

    # -- in place (see inplace.py) ---------------------------------------------------------
    __iadd__ = in_place("+=", np.add, Arithmetic.__add__)
    __isub__ = in_place("-=", np.subtract, Arithmetic.__sub__)
    __imul__ = in_place("*=", np.multiply, Arithmetic.__mul__)
    __itruediv__ = in_place("/=", np.true_divide, Arithmetic.__truediv__)

    # -- linear algebra --------------------------------------------------------------------
    def __matmul__(self, other: Any) -> Tensor:
        """`self @ other`, numpy's matmul (see the class docstring for the gradients).

        >>> Tensor([[1.0, 2.0]]) @ [[3.0], [4.0]]
        Tensor([[11.]])
        """
        if other.__class__ is not Tensor:
            other = self._lift(other)
        return apply_binary(_MATMUL, self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return ops.MatMul.apply(self._lift(other), self)

    # -- reductions ------------------------------------------------------------------------
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Sum over `axis` (an int, a tuple, or None for all), as `np.sum`.

        >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.sum(), x.sum(axis=0), x.sum(axis=1, keepdims=True).shape
        (Tensor(10.), Tensor([4., 6.]), (2, 1))
        """
        if axis is not None and type(axis) is not int:
            axis = _check_axis(axis, self._data.ndim, "sum")
        return ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Average over `axis` (an int, a tuple, or None for all), as `np.mean`.

        Averaging no elements (`Tensor([]).mean()`, or an axis of length 0) raises ValueError
        quoting the shape: numpy's answer, nan with a RuntimeWarning, would pass silently
        where warnings are off and is an error under pytest anyway.

        >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> x.mean().backward()
        >>> x.mean(axis=1), x.grad
        (Tensor([1.5, 3.5], requires_grad=True), array([[0.25, 0.25],
               [0.25, 0.25]]))
        """
        axis = _check_axis(axis, self._data.ndim, "mean")
        axes = ops._axes(axis, self.ndim)
        count = math.prod(self._data.shape[i] for i in axes)
        if count == 0:
            raise ValueError(
                f"mean of an empty selection: axis={axis!r} of a Tensor of shape "
                f"{self._data.shape} averages 0 elements"
            )
        return self.sum(axis=axis, keepdims=keepdims) * (1.0 / count)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Largest elements over `axis`; tied elements split the gradient evenly.

        >>> x = Tensor([1.0, 3.0, 3.0], requires_grad=True)
        >>> m = x.max()
        >>> m.backward()
        >>> m, x.grad
        (Tensor(3., requires_grad=True), array([0. , 0.5, 0.5]))
        """
        if axis is not None and type(axis) is not int:
            axis = _check_axis(axis, self._data.ndim, "max")
        return ops.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Smallest elements over `axis`; tied elements split the gradient evenly.

        >>> Tensor([[4.0, 1.0], [2.0, 5.0]]).min(axis=1)
        Tensor([1., 2.])
        """
        return -((-self).max(axis=axis, keepdims=keepdims))

    # -- shape -----------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (`-1` infers one side): `t.reshape(2, 3)` or
        `t.reshape((2, 3))`.

        >>> Tensor([1.0, 2.0, 3.0, 4.0]).reshape(2, -1)
        Tensor([[1., 2.],
                [3., 4.]])
        """
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return ops.Reshape.apply(self, shape=shape)

    def transpose(self, *args: Any, axes: Any = None) -> Tensor:
        """Permute the axes (all reversed when none are given), as numpy does:
        `t.transpose(1, 0)`, `t.transpose((1, 0))` or `t.transpose(axes=(1, 0))`.

        >>> import numpy as np
        >>> Tensor(np.zeros((2, 3, 4))).transpose(2, 0, 1).shape
        (4, 2, 3)
        """
        if len(args) == 1 and (args[0] is None or isinstance(args[0], (tuple, list))):
            args = tuple(args[0] or ())
        if args and axes is not None:
            raise TypeError(f"transpose takes axes once, received {args} and axes={axes}")
        chosen = tuple(args) if args else (tuple(axes) if axes is not None else None)
        return ops.Transpose.apply(self, axes=chosen or None)

    @property
    def T(self) -> Tensor:
        """All axes reversed (the transpose of a matrix), as numpy's `.T`.

        >>> Tensor([[1.0, 2.0, 3.0]]).T.shape
        (3, 1)
        """
        return self.transpose()

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """Exchange two axes, as `np.swapaxes`.

        >>> import numpy as np
        >>> Tensor(np.zeros((2, 3, 4))).swapaxes(0, 2).shape
        (4, 3, 2)
        """
        axes = list(range(self.ndim))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return self.transpose(tuple(axes))

    def broadcast_to(self, shape: tuple[int, ...]) -> Tensor:
        """Repeat along new or size-1 axes to `shape`; the gradient is summed back.

        >>> b = Tensor([1.0, 2.0], requires_grad=True)
        >>> b.broadcast_to((3, 2)).sum().backward()
        >>> b.grad
        array([3., 3.])
        """
        return ops.BroadcastTo.apply(self, shape=tuple(shape))

    def __getitem__(self, key: Any) -> Tensor:
        """numpy indexing; integer and boolean index arrays may be lists or Tensors.

        >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x[0], x[:, 1], x[x.data > 2]
        (Tensor([1., 2.]), Tensor([2., 4.]), Tensor([3., 4.]))
        """
        return ops.Index.apply(self, key=_index_key(key))

    # -- elementwise extras ----------------------------------------------------------------
    def clip(self, lo: float | None, hi: float | None) -> Tensor:
        """Limit values to [lo, hi] (None: no bound); the gradient is 1 inside, 0 where clipped.

        >>> x = Tensor([-2.0, 0.5, 3.0], requires_grad=True)
        >>> x.clip(0, 1).sum().backward()
        >>> x.clip(0, None), x.grad
        (Tensor([0. , 0.5, 3. ], requires_grad=True), array([0., 1., 0.]))
        """
        return ops.Clip.apply(self, lo=lo, hi=hi)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """log(softmax(x)) along `axis`, computed as x - logsumexp(x): stable for any input.

        >>> Tensor([0.0, 1000.0]).log_softmax().data.round(4)
        array([-1000.,     0.])
        """
        return ops.LogSoftmax.apply(self, axis=axis)

    def softmax(self, axis: int = -1) -> Tensor:
        """exp(x) / sum(exp(x)) along `axis`: positive, summing to 1, stable for large inputs.

        >>> Tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 1000.0]]).softmax().data.round(3)
        array([[0.09 , 0.245, 0.665],
               [0.   , 0.   , 1.   ]])
        """
        return self.log_softmax(axis).exp()


def _index_key(key: Any) -> Any:
    """Tensors and lists in an index become integer or boolean arrays."""
    if isinstance(key, tuple):
        return tuple(_index_key(k) for k in key)
    if isinstance(key, Tensor):
        key = key._data
    if isinstance(key, list):
        key = np.asarray(key)
    if isinstance(key, np.ndarray) and key.dtype.kind == "f":
        raise TypeError(f"Tensor indices must be integers or booleans, received dtype {key.dtype}")
    return key


# ---------------------------------------------------------------------------------------
# numpy-style module functions


def _tensor(x: Any, like: Tensor | None = None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return Tensor(x, dtype=None if like is None else like.dtype)


def _first_tensor(*xs: Any) -> Tensor:
    for x in xs:
        if isinstance(x, Tensor):
            return x
    return Tensor(xs[0])


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """`a` where `cond` is true, else `b` (broadcast, as `np.where`); the gradient follows
    the choice. `cond` is a boolean array, or integers or a Tensor holding only 0 and 1 (read
    as data); anything else (a string, 0.5) raises. `a`/`b` may be numbers.

    >>> x = Tensor([-1.0, 2.0], requires_grad=True)
    >>> y = where(x.data > 0, x, 0.0)
    >>> y.sum().backward()
    >>> y, x.grad
    (Tensor([0., 2.], requires_grad=True), array([0., 1.]))
    """
    like = _first_tensor(a, b)
    a = like if a is like or not isinstance(b, Tensor) and not isinstance(a, Tensor) else a
    return ops.Where.apply(like._lift(a), like._lift(b), cond=_condition(cond))


def _condition(cond: Any) -> np.ndarray:
    """`where`'s condition as a boolean array: booleans, or numbers that are all 0 or 1."""
    array = cond._data if isinstance(cond, Node) else cond
    if type(array) is np.ndarray and array.dtype == bool:
        return array  # the usual case, `x._data > 0`
    array = as_array(array, what="where's boolean condition")
    if not np.all((array == 0) | (array == 1)):
        raise ValueError(
            f"where expects a boolean condition (or numbers that are all 0 or 1), received "
            f"{_short(cond)}"
        )
    return array != 0


def _comparable(a: Any, b: Any, what: str) -> tuple[Any, Any]:
    """maximum/minimum's operands, non-Tensors checked as numbers before they are compared."""
    like = _first_tensor(a, b)
    return like._lift(a, what), like._lift(b, what)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of `a` and `b` (broadcast); a tie sends the gradient to `a`.

    >>> a = Tensor([1.0, 5.0], requires_grad=True)
    >>> maximum(a, 3.0).sum().backward()
    >>> maximum(a, 3.0), a.grad
    (Tensor([3., 5.], requires_grad=True), array([0., 1.]))
    """
    a, b = _comparable(a, b, "maximum")
    return ops.Maximum.apply(a, b)  # type: ignore[no-any-return]


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise smaller of `a` and `b` (broadcast); a tie sends the gradient to `a`.

    >>> minimum(Tensor([1.0, 5.0]), Tensor([3.0, 3.0]))
    Tensor([1., 3.])
    """
    a, b = _comparable(a, b, "minimum")
    return ops.Minimum.apply(a, b)  # type: ignore[no-any-return]


def softmax_cross_entropy(logits: Tensor, labels: Any, reduction: str = "none") -> Tensor:
    """Per-row `-log(softmax(logits)[label])`, stable for any logits.

    `logits` has shape (..., classes); `labels` holds integer class indices of shape (...).
    `reduction="mean"` (PyTorch's `cross_entropy` default) or `"sum"` reduces over the rows
    in the same node; `"none"` keeps one loss per row.

    >>> logits = Tensor([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]], requires_grad=True)
    >>> loss = softmax_cross_entropy(logits, [0, 2])
    >>> loss.data.round(4)
    array([0.1698, 1.0986])
    >>> float(softmax_cross_entropy(logits, [0, 2], reduction="mean").data.round(4))
    0.6342
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(
            f"softmax_cross_entropy expects reduction 'none', 'mean' or 'sum', "
            f"received {reduction!r}"
        )
    if not isinstance(logits, Tensor):
        raise TypeError(f"softmax_cross_entropy expects logits as a Tensor, received {logits!r}")
    labels = _class_ids(labels, logits._data.shape)
    return ops.SoftmaxCrossEntropy.apply(logits, labels=labels, reduction=reduction)


@replayed  # checked again on every call of a jit plan: a label out of range would pick
def _class_ids(labels: Any, shape: tuple[int, ...]) -> np.ndarray:  # another row's logit
    """`labels` as integer class ids for logits of `shape` (ValueError if they are not)."""
    labels = np.asarray(labels)
    if labels.dtype.kind == "f" and np.all(np.mod(labels, 1) == 0):
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iu":
        raise ValueError(f"softmax_cross_entropy expects integer labels, received {labels!r}")
    if not shape or labels.shape != shape[:-1]:
        raise ValueError(
            f"softmax_cross_entropy: labels of shape {labels.shape} do not match logits of shape "
            f"{shape}; expected labels of shape {shape[:-1]}"
        )
    classes = shape[-1]
    if not arrays.ids_below(labels, classes):
        raise ValueError(
            f"softmax_cross_entropy: labels must lie in [0, {classes - 1}] for {classes} classes, "
            f"received labels from {labels.min()} to {labels.max()}"
        )
    return labels


def affine(x: Any, w: Any, b: Any = None) -> Tensor:
    """`x @ w + b` in one node: a dense layer (`w` of shape (inputs, units), as a Keras
    kernel; PyTorch's `F.linear` takes the transpose). Faster than the two ops it fuses.

    `b` broadcasts against the product as `+` does; without `b` this is `x @ w`.

    >>> x = Tensor([[1.0, 2.0]])
    >>> w = Tensor([[1.0, 0.0, 2.0], [0.0, 1.0, 1.0]], requires_grad=True)
    >>> y = affine(x, w, Tensor([0.5, 0.5, 0.5], requires_grad=True))
    >>> y.sum().backward()
    >>> y, w.grad
    (Tensor([[1.5, 2.5, 4.5]], requires_grad=True), array([[1., 1., 1.],
           [2., 2., 2.]]))
    """
    if x.__class__ is Tensor and w.__class__ is Tensor and b.__class__ is Tensor:
        return apply_ternary(_AFFINE, x, w, b)  # type: ignore[no-any-return]  # a layer
    like = _first_tensor(x, w, b)
    x, w = like._lift(x), like._lift(w)
    if b is None:
        return ops.MatMul.apply(x, w)  # type: ignore[no-any-return]
    return ops.Affine.apply(x, w, like._lift(b))  # type: ignore[no-any-return]


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis, as `np.concatenate`; each gets its slice's grad.

    >>> a, b = Tensor([[1.0, 2.0]], requires_grad=True), Tensor([[3.0, 4.0]])
    >>> c = concatenate([a, b], axis=0)
    >>> (c * Tensor([[1.0], [10.0]])).sum().backward()
    >>> c.shape, a.grad
    ((2, 2), array([[1., 1.]]))
    """
    if len(tensors) == 0:
        raise ValueError("concatenate needs at least one tensor, received none")
    like = _first_tensor(*tensors)
    return ops.Concatenate.apply(*[_tensor(t, like) for t in tensors], axis=axis)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new axis, as `np.stack`.

    >>> stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])], axis=1)
    Tensor([[1., 3.],
            [2., 4.]])
    """
    if len(tensors) == 0:
        raise ValueError("stack needs at least one tensor, received none")
    like = _first_tensor(*tensors)
    lifted = [_tensor(t, like) for t in tensors]
    shapes = {t.shape for t in lifted}
    if len(shapes) != 1:
        raise ValueError(f"stack expects tensors of one shape, received shapes {sorted(shapes)}")
    ndim = lifted[0].ndim + 1
    if not -ndim <= axis < ndim:
        raise ValueError(f"stack: axis {axis} is out of bounds for the result's {ndim} dimensions")
    axis %= ndim
    expanded = [t.reshape(t.shape[:axis] + (1,) + t.shape[axis:]) for t in lifted]
    return concatenate(expanded, axis=axis)
