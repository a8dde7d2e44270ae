"""nn.optimizers.schedules against the formulas of Keras 3's docs, and optimizers driven by them.

References are plain loops over steps written from keras/src/optimizers/schedules/
learning_rate_schedule.py's docstrings, in float64.
"""

import math

import numpy as np
import pytest

import nn
from autograd import Tensor

schedules = nn.optimizers.schedules
STEPS = range(41)


def exponential_reference(lr0, decay_steps, rate, staircase, step):
    p = step / decay_steps
    if staircase:
        p = math.floor(p)
    return lr0 * rate**p


def cosine_reference(lr0, decay_steps, alpha, target, warmup, step):
    if target is None:
        s = min(step, decay_steps)
        return lr0 * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * s / decay_steps)) + alpha)
    s = min(step, decay_steps + warmup)
    if s < warmup:
        return (target - lr0) * s / warmup + lr0
    s -= warmup
    return target * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * s / decay_steps)) + alpha)


def piecewise_reference(boundaries, values, step):
    if step <= boundaries[0]:
        return values[0]
    for i in range(1, len(boundaries)):
        if boundaries[i - 1] < step <= boundaries[i]:
            return values[i]
    return values[-1]


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay_matches_keras_formula(staircase):
    schedule = schedules.ExponentialDecay(0.2, decay_steps=7, decay_rate=0.8, staircase=staircase)
    got = [schedule(s) for s in STEPS]
    want = [exponential_reference(0.2, 7, 0.8, staircase, s) for s in STEPS]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    if staircase:  # constant inside a stair, drops at its edge
        assert schedule(6) == schedule(0) and schedule(7) < schedule(6)


@pytest.mark.parametrize(
    "alpha, target, warmup", [(0.0, None, 0), (0.2, None, 0), (0.1, 0.5, 6), (0.0, 0.05, 3)]
)
def test_cosine_decay_matches_keras_formula_with_and_without_warmup(alpha, target, warmup):
    schedule = schedules.CosineDecay(
        0.01, decay_steps=20, alpha=alpha, warmup_target=target, warmup_steps=warmup
    )
    got = [schedule(s) for s in STEPS]
    want = [cosine_reference(0.01, 20, alpha, target, warmup, s) for s in STEPS]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    start = 0.01 if target is None else target
    assert got[-1] == pytest.approx(start * alpha)  # past the horizon it stays at the floor


def test_piecewise_constant_decay_boundaries_belong_to_the_left_interval():
    boundaries, values = [5, 10, 30], [1.0, 0.5, 0.25, 0.125]
    schedule = schedules.PiecewiseConstantDecay(boundaries, values)
    got = [schedule(s) for s in STEPS]
    assert got == [piecewise_reference(boundaries, values, s) for s in STEPS]
    assert schedule(5) == 1.0 and schedule(6) == 0.5  # step <= boundary takes the left value


def test_polynomial_and_inverse_time_decay_match_keras_formulas():
    poly = schedules.PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.01, power=0.5)
    for s in STEPS:
        capped = min(s, 10)
        assert poly(s) == pytest.approx((0.1 - 0.01) * (1 - capped / 10) ** 0.5 + 0.01)
    inverse = schedules.InverseTimeDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=True)
    for s in STEPS:
        assert inverse(s) == pytest.approx(0.1 / (1 + 0.5 * math.floor(s / 4)))


def test_an_optimizer_uses_schedule_of_its_iteration_count_before_each_update():
    schedule = schedules.PiecewiseConstantDecay([1, 3], [1.0, 0.1, 0.01])
    w = Tensor([0.0], requires_grad=True)
    opt = nn.optimizers.SGD(learning_rate=schedule)
    seen = []
    for _ in range(6):
        seen.append(opt.learning_rate)
        opt.apply_gradients([(np.array([1.0]), w)])  # gradient 1: w moves by -lr
    want = [piecewise_reference([1, 3], [1.0, 0.1, 0.01], k) for k in range(6)]
    assert seen == want
    np.testing.assert_allclose(w.data, [-sum(want)])
    assert opt.iterations == 6


def test_fit_advances_the_schedule_once_per_batch():
    schedule = schedules.ExponentialDecay(0.05, decay_steps=1, decay_rate=0.5)
    model = nn.Sequential([nn.layers.Dense(1, input_shape=(1,))])
    model.compile(optimizer=nn.optimizers.Adam(learning_rate=schedule), loss="mse")
    model.fit(np.ones((8, 1)), np.ones(8), batch_size=2, epochs=2, verbose=0)
    assert model.optimizer.iterations == 8
    assert model.optimizer.learning_rate == pytest.approx(0.05 * 0.5**8)


def test_a_callable_learning_rate_is_called_without_arguments_each_read():
    rates = iter([0.5, 0.25])
    opt = nn.optimizers.SGD(learning_rate=lambda: next(rates))
    w = Tensor([1.0], requires_grad=True)
    opt.apply_gradients([(np.array([2.0]), w)])
    opt.apply_gradients([(np.array([2.0]), w)])
    np.testing.assert_allclose(w.data, [1.0 - 0.5 * 2 - 0.25 * 2])


def test_a_scheduled_rate_is_not_settable_but_a_new_schedule_is():
    opt = nn.optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.9))
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.01
    opt.learning_rate = schedules.PiecewiseConstantDecay([5], [0.3, 0.03])
    assert opt.learning_rate == 0.3
    plain = nn.optimizers.SGD(learning_rate=lambda: 0.2)
    plain.learning_rate = 0.4  # a plain function may be replaced by a float
    assert plain.learning_rate == 0.4


def test_get_config_serializes_the_schedule_and_deserialize_rebuilds_it():
    schedule = schedules.CosineDecay(0.1, 100, alpha=0.1, warmup_target=0.2, warmup_steps=5)
    config = nn.optimizers.Adam(learning_rate=schedule).get_config()["learning_rate"]
    assert config["class_name"] == "CosineDecay"
    rebuilt = schedules.deserialize(config)
    assert [rebuilt(s) for s in STEPS] == [schedule(s) for s in STEPS]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: schedules.ExponentialDecay(0.1, 0, 0.9), "decay_steps > 0"),
        (lambda: schedules.CosineDecay(0.1, -5), "decay_steps > 0"),
        (lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2]), "one more value"),
        (lambda: schedules.PiecewiseConstantDecay([3, 2], [0.1, 0.2, 0.3]), "increasing"),
        (lambda: schedules.deserialize({"class_name": "Nope"}), "Could not deserialize"),
    ],
)
def test_bad_schedule_arguments_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_schedule_giving_a_negative_rate_is_refused_when_read():
    opt = nn.optimizers.SGD(learning_rate=schedules.PolynomialDecay(0.1, 10, end_learning_rate=-1.0))
    opt.iterations = 10
    with pytest.raises(ValueError, match="learning_rate >= 0"):
        _ = opt.learning_rate


def test_a_function_of_the_step_is_refused_with_a_pointer_to_learning_rate_schedule():
    opt = nn.optimizers.SGD(learning_rate=lambda step: 0.1 / (step + 1))
    with pytest.raises(TypeError, match="called with no argument .* subclass"):
        _ = opt.learning_rate
