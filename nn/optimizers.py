"""Optimizers with Keras 3's update rules, updating each variable's array in place.

`apply_gradients([(grad, variable), ...])` follows Keras (gradient first); `step(params)`
follows PyTorch (uses each `p.grad`). Updates keep the variable's array object and dtype,
so float32 weights stay float32 and anything holding the array sees the new values.

>>> from autograd import Tensor
>>> w = Tensor([1.0, 2.0], requires_grad=True)
>>> opt = SGD(learning_rate=0.1)
>>> opt.apply_gradients([(np.array([0.5, -1.0]), w)])
>>> w.data, opt.iterations
(array([0.95, 2.1 ]), 1)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.engine import raw
from autograd.tracing import effect
from nn import schedules
from nn.registry import Registry, custom_objects

# a float, a schedule called with the iteration count, or a function of no argument (Keras 3)
LearningRate = float | schedules.LearningRateSchedule | Callable[[], float]


def _number(value: Any, what: str, owner: str, low: float = 0.0, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{owner} expects a number for {what}, received {value!r}")
    value = float(value)
    if not low <= value <= high:
        bounds = f"in [{low}, {high}]" if high != math.inf else f">= {low}"
        raise ValueError(f"{owner} expects {what} {bounds}, received {what}={value}")
    return value


class Optimizer:
    """Base class: validation, per-variable state, the iteration counter.

    Subclasses implement `update(variable_data, grad, state)`, changing `variable_data` in
    place; `state` is this variable's dict of slots (momentum, velocity, ...), created by
    `build_state` on the first update. State is keyed by the Tensor itself (by identity).

    >>> import numpy as np
    >>> class SignSGD(Optimizer):
    ...     def update(self, data, grad, state):
    ...         data -= self.learning_rate * np.sign(grad)
    >>> w = Tensor([1.0, 1.0], requires_grad=True)
    >>> SignSGD(learning_rate=0.5).apply_gradients([(np.array([3.0, -0.1]), w)])
    >>> w.data
    array([0.5, 1.5])
    """

    name = "optimizer"

    def __init__(self, learning_rate: LearningRate = 0.001) -> None:
        self.iterations = 0
        self._schedule: Any = None
        self.learning_rate = learning_rate
        self._state: dict[Tensor, dict[str, np.ndarray]] = {}

    @property
    def learning_rate(self) -> float:
        """The step size of the next update, a float.

        Given a float it is settable between steps (a negative value raises ValueError).
        Given a `schedules.LearningRateSchedule`, it reads `schedule(iterations)`; given any
        other callable, `fn()` with no argument, as Keras 3 (keras/src/optimizers/
        base_optimizer.py, `_get_current_learning_rate`).

        >>> opt = SGD()
        >>> opt.learning_rate = 0.5
        >>> opt.learning_rate
        0.5
        >>> SGD(learning_rate=lambda: 0.25).learning_rate
        0.25
        """
        schedule = self._schedule
        if schedule is None:
            return self._learning_rate
        if isinstance(schedule, schedules.LearningRateSchedule):
            value = schedule(self.iterations)
        else:
            try:
                value = schedule()
            except TypeError as error:  # e.g. a Keras 2 style `lambda step: ...`
                raise TypeError(
                    f"{type(self).__name__}: a learning_rate function is called with no argument "
                    f"(Keras 3), and {schedule!r} raised {error}; for a rate that depends on the "
                    "step, subclass nn.optimizers.schedules.LearningRateSchedule"
                ) from error
        return _number(value, "learning_rate", type(self).__name__)

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        # callbacks (e.g. a scheduler) assign it between steps
        if isinstance(value, schedules.LearningRateSchedule) or (
            callable(value) and not isinstance(value, (int, float, np.number))
        ):
            self._schedule = value
            return
        if isinstance(self._schedule, schedules.LearningRateSchedule):
            # as Keras: a schedule owns the rate, so setting a number would silently fight it
            raise TypeError(
                f"{type(self).__name__} was created with the schedule {self._schedule!r} as its "
                f"learning_rate, so the rate is not settable (received {value!r}); pass a new "
                "schedule, or build the optimizer with a float"
            )
        self._learning_rate = _number(value, "learning_rate", type(self).__name__)
        self._schedule = None

    # -- the public steps ------------------------------------------------------------------
    # both are `effect`s: inside a jitted training step the plan calls them again, as they are
    @effect
    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Tensor]]) -> None:
        """Update each variable from its gradient (pairs are `(grad, variable)`, as Keras).

        Pairs whose gradient is None are skipped. The counter advances once per call.

        >>> import numpy as np
        >>> w, b = Tensor([1.0], requires_grad=True), Tensor([0.0], requires_grad=True)
        >>> opt = SGD(learning_rate=0.1)
        >>> opt.apply_gradients([(np.array([2.0]), w), (None, b)])
        >>> w.data, b.data, opt.iterations
        (array([0.8]), array([0.]), 1)
        """
        # every gradient checked before any variable changes: a bad pair updates nothing
        checked: list[tuple[np.ndarray, Tensor, np.ndarray]] = []
        append = checked.append
        for grad, variable in grads_and_vars:
            if grad is None:
                continue
            data = variable.data if variable.__class__ is Tensor else None
            if not (
                type(grad) is np.ndarray  # the engine's own gradient (every step, every weight)
                and data is not None
                and grad.shape == data.shape
                and grad.dtype is data.dtype
            ):
                grad = self._gradient(grad, variable)
                data = variable.data
            append((grad, variable, data))
        self._apply(checked)
        self.iterations += 1

    def _apply(self, checked: list[tuple[np.ndarray, Tensor, np.ndarray]]) -> None:
        """Each checked `(grad, variable, data)` through `update` with its state."""
        states, update = self._state, self.update
        for grad, variable, data in checked:
            state = states.get(variable)
            if state is None:
                state = states[variable] = self.build_state(data)
            update(data, grad, state)

    @effect
    def step(self, params: Sequence[Tensor]) -> None:
        """PyTorch style: update every parameter from its `.grad` (None grads are skipped).

        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> (w * w).sum().backward()  # grad 2w
        >>> SGD(learning_rate=0.1).step([w])
        >>> w.data
        array([0.8, 1.6])
        """
        pairs = []
        for p in params:
            if p.__class__ is not Tensor and not isinstance(p, Tensor):
                _tensors([p])  # raises, saying what it received
            pairs.append((p._grad, p))
        self.apply_gradients(pairs)

    def zero_grad(self, params: Sequence[Tensor]) -> None:
        """Clear every parameter's `.grad` (to None) before the next backward.

        >>> w = Tensor([1.0], requires_grad=True)
        >>> (w * 3).sum().backward()
        >>> SGD().zero_grad([w])
        >>> w.grad is None
        True
        """
        for p in _tensors(params):
            p.grad = None

    # -- for subclasses --------------------------------------------------------------------
    def build_state(self, data: np.ndarray) -> dict[str, np.ndarray]:
        """The slots one variable needs (momentum, velocity, ...), made on its first update.

        >>> Adam().build_state(np.zeros(3)).keys()
        dict_keys(['momentum', 'velocity'])
        """
        return {}

    def update(self, data: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """Change `data` in place from `grad`, reading and updating this variable's `state`.

        >>> data = np.array([1.0])
        >>> SGD(learning_rate=0.5).update(data, np.array([2.0]), {})
        >>> data
        array([0.])
        """
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The optimizer's settings, as Keras' `get_config` (also what `repr` shows).

        >>> SGD(learning_rate=0.1).get_config()
        {'name': 'sgd', 'learning_rate': 0.1, 'momentum': 0.0, 'nesterov': False}
        """
        schedule = self._schedule
        if isinstance(schedule, schedules.LearningRateSchedule):
            return {"name": self.name, "learning_rate": schedules.serialize(schedule)}
        return {"name": self.name, "learning_rate": self.learning_rate}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        """An optimizer from `get_config()`'s dict (a serialized schedule is rebuilt; `name`
        is the class's own here, so it is not passed on).

        >>> Adam.from_config(Adam(learning_rate=0.01, beta_1=0.8).get_config())
        Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.999, epsilon=1e-07, amsgrad=False)
        """
        config = {k: v for k, v in config.items() if k != "name"}
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(
                config["learning_rate"], custom_objects()
            )
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"

    def _gradient(self, grad: Any, variable: Any) -> np.ndarray:
        """`grad` as an array of the variable's shape and dtype (TypeError, ValueError)."""
        if not isinstance(variable, Tensor):
            raise TypeError(
                f"{type(self).__name__} updates Tensors, received a {type(variable).__name__}: "
                f"{variable!r}"
            )
        grad = np.asarray(raw(grad))
        if grad.shape != variable.shape:
            raise ValueError(
                f"gradient shape {grad.shape} does not match variable shape {variable.shape}"
                + (f" (variable {variable.name!r})" if variable.name else "")
            )
        # computed in the variable's dtype, as Keras casts: float32 weights stay float32
        return grad.astype(variable.dtype, copy=False)


def _tensors(params: Sequence[Tensor]) -> list[Tensor]:
    params = list(params)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"expected a list of Tensors, received a {type(p).__name__}: {p!r}")
    return params


registry: Registry[Any] = Registry("optimizer", base=Optimizer)


@registry.register("sgd")
class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum, as in Keras 3.

    `w -= lr * g`; with momentum `v = momentum * v - lr * g; w += v`; with Nesterov
    `v = momentum * v - lr * g; w += momentum * v - lr * g`.

    >>> SGD(learning_rate=0.1, momentum=0.9)
    SGD(learning_rate=0.1, momentum=0.9, nesterov=False)
    """

    name = "sgd"

    def __init__(
        self, learning_rate: LearningRate = 0.01, momentum: float = 0.0, nesterov: bool = False
    ) -> None:
        super().__init__(learning_rate)
        self.momentum = _number(momentum, "momentum", "SGD", 0.0, 1.0)
        self.nesterov = bool(nesterov)

    def build_state(self, data: np.ndarray) -> dict[str, np.ndarray]:
        """A zero `momentum` slot when momentum is used, else nothing.

        >>> SGD(momentum=0.9).build_state(np.zeros(2)), SGD().build_state(np.zeros(2))
        ({'momentum': array([0., 0.])}, {})
        """
        return {"momentum": np.zeros_like(data)} if self.momentum else {}

    def _apply(self, checked: list[tuple[np.ndarray, Tensor, np.ndarray]]) -> None:
        # plain SGD keeps no state: one rate for all (a step is a sixth cheaper, digits MLP)
        if self.momentum or type(self).update is not SGD.update:
            super()._apply(checked)
            return
        lr = self.learning_rate
        for grad, _variable, data in checked:
            data -= lr * grad

    def update(self, data: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """`w -= lr * g`, or the momentum / Nesterov step (see the class docstring).

        >>> opt, data = SGD(learning_rate=0.1, momentum=0.9), np.array([1.0])
        >>> state = opt.build_state(data)
        >>> for _ in range(2):
        ...     opt.update(data, np.array([1.0]), state)
        >>> data.round(3), state["momentum"].round(3)  # steps of 0.1, then 0.19
        (array([0.71]), array([-0.19]))
        """
        lr = self.learning_rate
        if not self.momentum:
            data -= lr * grad
            return
        v = state["momentum"]
        v *= self.momentum
        v -= lr * grad
        if self.nesterov:
            data += self.momentum * v - lr * grad
        else:
            data += v

    def get_config(self) -> dict[str, Any]:
        """The base config plus `momentum` and `nesterov`.

        >>> SGD(momentum=0.9, nesterov=True).get_config()["nesterov"]
        True
        """
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


@registry.register("adam")
class Adam(Optimizer):
    """Adam, written as Keras 3 writes it.

    `m += (g - m) (1 - beta_1)`, `v += (g**2 - v) (1 - beta_2)`,
    `w -= lr sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)`, t from 1;
    `amsgrad` divides by the running maximum of `v` instead.

    >>> Adam()
    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False)
    """

    name = "adam"

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(learning_rate)
        self.beta_1 = _number(beta_1, "beta_1", "Adam", 0.0, 1.0)
        self.beta_2 = _number(beta_2, "beta_2", "Adam", 0.0, 1.0)
        self.epsilon = _number(epsilon, "epsilon", "Adam")
        self.amsgrad = bool(amsgrad)
        if self.beta_1 == 1.0 or self.beta_2 == 1.0:
            raise ValueError(
                f"Adam expects beta_1 and beta_2 below 1 (the bias correction divides by "
                f"1 - beta**t), received beta_1={beta_1}, beta_2={beta_2}"
            )

    def build_state(self, data: np.ndarray) -> dict[str, np.ndarray]:
        """Zero `momentum` (m) and `velocity` (v) slots, plus `velocity_hat` with amsgrad.

        >>> sorted(Adam(amsgrad=True).build_state(np.zeros(2)))
        ['momentum', 'velocity', 'velocity_hat']
        """
        state = {"momentum": np.zeros_like(data), "velocity": np.zeros_like(data)}
        if self.amsgrad:
            state["velocity_hat"] = np.zeros_like(data)
        return state

    def update(self, data: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """One Adam step; the first moves each weight by about `learning_rate`.

        >>> opt, data = Adam(learning_rate=0.1), np.array([1.0, 1.0])
        >>> opt.update(data, np.array([2.0, -0.5]), opt.build_state(data))
        >>> data.round(4)
        array([0.9, 1.1])
        """
        t = self.iterations + 1
        alpha = self.learning_rate * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        m, v = state["momentum"], state["velocity"]
        m += (grad - m) * (1 - self.beta_1)
        v += (grad * grad - v) * (1 - self.beta_2)
        if self.amsgrad:
            np.maximum(state["velocity_hat"], v, out=state["velocity_hat"])
            v = state["velocity_hat"]
        data -= (m * alpha) / (np.sqrt(v) + self.epsilon)

    def get_config(self) -> dict[str, Any]:
        """The base config plus `beta_1`, `beta_2`, `epsilon` and `amsgrad`.

        >>> Adam(beta_2=0.99).get_config()["beta_2"]
        0.99
        """
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


@registry.register("rmsprop")
class RMSprop(Optimizer):
    """RMSprop, as in Keras 3: divide the gradient by a running root mean square.

    `v = rho v + (1 - rho) g**2`; `step = lr g / sqrt(v + epsilon)` (centered: the variance
    `v - mean_g**2` replaces `v`); with momentum `mom = momentum mom + step; w -= mom`.

    >>> RMSprop(learning_rate=0.01)
    RMSprop(learning_rate=0.01, rho=0.9, momentum=0.0, epsilon=1e-07, centered=False)
    """

    name = "rmsprop"

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
    ) -> None:
        super().__init__(learning_rate)
        self.rho = _number(rho, "rho", "RMSprop", 0.0, 1.0)
        self.momentum = _number(momentum, "momentum", "RMSprop", 0.0, 1.0)
        self.epsilon = _number(epsilon, "epsilon", "RMSprop")
        self.centered = bool(centered)

    def build_state(self, data: np.ndarray) -> dict[str, np.ndarray]:
        """A zero `velocity` slot, plus `momentum` and (centered) `average_gradient`.

        >>> sorted(RMSprop(momentum=0.9, centered=True).build_state(np.zeros(2)))
        ['average_gradient', 'momentum', 'velocity']
        """
        state = {"velocity": np.zeros_like(data)}
        if self.momentum > 0:
            state["momentum"] = np.zeros_like(data)
        if self.centered:
            state["average_gradient"] = np.zeros_like(data)
        return state

    def update(self, data: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """One RMSprop step: `v = rho v + (1 - rho) g**2`, `w -= lr g / sqrt(v + epsilon)`.

        >>> opt, data = RMSprop(learning_rate=0.1), np.array([1.0])
        >>> state = opt.build_state(data)
        >>> opt.update(data, np.array([2.0]), state)
        >>> state["velocity"], data.round(4)  # 0.1 * 2**2;  1 - 0.1 * 2 / sqrt(0.4)
        (array([0.4]), array([0.6838]))
        """
        rho = self.rho
        v = state["velocity"]
        v *= rho
        v += (1 - rho) * grad * grad
        if self.centered:
            mean = state["average_gradient"]
            mean *= rho
            mean += (1 - rho) * grad
            denominator = v - mean * mean + self.epsilon
        else:
            denominator = v + self.epsilon
        increment = self.learning_rate * grad / np.sqrt(denominator)
        if self.momentum > 0:
            mom = state["momentum"]
            mom *= self.momentum
            mom += increment
            data -= mom
        else:
            data -= increment

    def get_config(self) -> dict[str, Any]:
        """The base config plus `rho`, `momentum`, `epsilon` and `centered`.

        >>> RMSprop(rho=0.95).get_config()["rho"]
        0.95
        """
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


@registry.register("adagrad")
class Adagrad(Optimizer):
    """Adagrad, as in Keras 3: `acc += g**2; w -= lr g / sqrt(acc + epsilon)`.

    The accumulator starts at `initial_accumulator_value` (0.1).

    >>> Adagrad()
    Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-07)
    """

    name = "adagrad"

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
    ) -> None:
        super().__init__(learning_rate)
        self.initial_accumulator_value = _number(
            initial_accumulator_value, "initial_accumulator_value", "Adagrad"
        )
        self.epsilon = _number(epsilon, "epsilon", "Adagrad")

    def build_state(self, data: np.ndarray) -> dict[str, np.ndarray]:
        """An `accumulator` slot filled with `initial_accumulator_value`.

        >>> Adagrad().build_state(np.zeros(2))
        {'accumulator': array([0.1, 0.1])}
        """
        return {"accumulator": np.full_like(data, self.initial_accumulator_value)}

    def update(self, data: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """One Adagrad step: `acc += g**2`, `w -= lr g / sqrt(acc + epsilon)`.

        >>> opt, data = Adagrad(learning_rate=0.1), np.array([1.0])
        >>> state = opt.build_state(data)
        >>> opt.update(data, np.array([2.0]), state)
        >>> state["accumulator"], data.round(4)  # 0.1 + 2**2;  1 - 0.1 * 2 / sqrt(4.1)
        (array([4.1]), array([0.9012]))
        """
        acc = state["accumulator"]
        acc += grad * grad
        data -= self.learning_rate * grad / np.sqrt(acc + self.epsilon)

    def get_config(self) -> dict[str, Any]:
        """The base config plus `initial_accumulator_value` and `epsilon`.

        >>> Adagrad(initial_accumulator_value=1.0).get_config()["initial_accumulator_value"]
        1.0
        """
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


def get(identifier: Any) -> Optimizer:
    """An optimizer from its name (an instance with Keras' defaults) or itself.

    >>> get("sgd")
    SGD(learning_rate=0.01, momentum=0.0, nesterov=False)
    >>> get("RMSprop").learning_rate
    0.001
    """
    optimizer = registry.get(identifier)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"Could not interpret optimizer identifier {identifier!r}: expected a name or an "
            f"Optimizer instance"
        )
    return optimizer
