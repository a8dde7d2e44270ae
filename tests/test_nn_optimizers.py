"""Optimizers: the first two steps against numbers worked out by hand from Keras 3's rules."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor
from nn import optimizers
from nn.optimizers import SGD, Adagrad, Adam, Optimizer, RMSprop

# One scalar weight w0 = 1.0 receives the gradient 0.5, then -0.25.
G1, G2 = 0.5, -0.25


def two_steps(optimizer: Optimizer, dtype: type = np.float64) -> tuple[float, float]:
    w = Tensor(np.array([1.0], dtype=dtype), requires_grad=True)
    optimizer.apply_gradients([(np.array([G1]), w)])
    first = float(w.data[0])
    optimizer.apply_gradients([(np.array([G2]), w)])
    return first, float(w.data[0])


@pytest.mark.parametrize(
    "optimizer, expected",
    [
        # w -= lr g: 1 - 0.1*0.5 = 0.95; 0.95 + 0.1*0.25 = 0.975
        (SGD(learning_rate=0.1), (0.95, 0.975)),
        # v = 0.9 v - lr g: v1 = -0.05, w1 = 0.95; v2 = -0.045 + 0.025 = -0.02, w2 = 0.93
        (SGD(learning_rate=0.1, momentum=0.9), (0.95, 0.93)),
        # w += 0.9 v - lr g after updating v: w1 = 1 - 0.045 - 0.05 = 0.905;
        # w2 = 0.905 + 0.9*(-0.02) + 0.025 = 0.912
        (SGD(learning_rate=0.1, momentum=0.9, nesterov=True), (0.905, 0.912)),
        # t=1: m = 0.05, v = 0.00025, alpha = 0.1 sqrt(0.001)/0.1 = 0.0316228,
        #      w1 = 1 - 0.05 alpha / (0.0158114 + 1e-7) = 0.90000063
        # t=2: m = 0.05 + (-0.3)(0.1) = 0.02, v = 0.00025 + (0.0625 - 0.00025)(0.001)
        #      = 0.00031225, alpha = 0.1 sqrt(0.001999)/0.19 = 0.0235317,
        #      w2 = w1 - 0.02 alpha / (0.0176706 + 1e-7) = 0.87336708
        (Adam(learning_rate=0.1), (0.900000632451532, 0.8733670792079218)),
        # v1 = 0.1 * 0.25 = 0.025, w1 = 1 - 0.05 / sqrt(0.025 + 1e-7) = 0.68377287
        # v2 = 0.0225 + 0.00625 = 0.02875, w2 = w1 + 0.025 / sqrt(0.02875 + 1e-7) = 0.83121457
        (RMSprop(learning_rate=0.1), (0.6837728664367967, 0.8312145661715694)),
        # momentum 0.5: mom1 = 0.3162271, mom2 = 0.5 mom1 - 0.1474425 = 0.0106719
        (RMSprop(learning_rate=0.1, momentum=0.5), (0.6837728664367967, 0.6731009993899678)),
        # centered: mean_g1 = 0.05, w1 = 1 - 0.05 / sqrt(0.025 - 0.0025 + 1e-7) = 0.66666741;
        # mean_g2 = 0.045 - 0.025 = 0.02, w2 = w1 + 0.025 / sqrt(0.02875 - 0.0004 + 1e-7)
        (RMSprop(learning_rate=0.1, centered=True), (0.6666674074049382, 0.8151456132679695)),
        # acc starts at 0.1: acc1 = 0.35, w1 = 1 - 0.05 / sqrt(0.35 + 1e-7) = 0.91548459;
        # acc2 = 0.4125, w2 = w1 + 0.025 / sqrt(0.4125 + 1e-7) = 0.95440953
        (Adagrad(learning_rate=0.1), (0.9154845866007779, 0.9544095290906796)),
    ],
    ids=repr,
)
def test_first_two_steps_match_hand_computation(optimizer, expected):
    assert two_steps(optimizer) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_rmsprop_matches_the_keras_docstring_example():
    # Keras: var1 = 10.0, loss = var1**2 / 2, RMSprop(0.1).minimize -> 9.683772
    var = Tensor([10.0], requires_grad=True)
    loss = (var * var * 0.5).sum()
    loss.backward()
    RMSprop(learning_rate=0.1).step([var])
    assert var.data[0] == pytest.approx(9.683772, abs=1e-6)


def test_adam_amsgrad_divides_by_the_running_maximum_of_v():
    w_plain = Tensor([1.0], requires_grad=True)
    w_ams = Tensor([1.0], requires_grad=True)
    plain, ams = Adam(learning_rate=0.1), Adam(learning_rate=0.1, amsgrad=True)
    for g in (1.0, 0.0, 0.0):
        plain.apply_gradients([(np.array([g]), w_plain)])
        ams.apply_gradients([(np.array([g]), w_ams)])
    # after the large first gradient v decays; amsgrad keeps v_hat = 0.001, so smaller steps
    v_hat = 0.001
    m3 = 0.1 * 0.9**2
    alpha3 = 0.1 * np.sqrt(1 - 0.999**3) / (1 - 0.9**3)
    ams_before = Tensor([1.0], requires_grad=True)
    ams2 = Adam(learning_rate=0.1, amsgrad=True)
    for g in (1.0, 0.0):
        ams2.apply_gradients([(np.array([g]), ams_before)])
    expected = ams_before.data[0] - m3 * alpha3 / (np.sqrt(v_hat) + 1e-7)
    assert w_ams.data[0] == pytest.approx(expected, rel=1e-12)
    assert abs(1.0 - w_ams.data[0]) < abs(1.0 - w_plain.data[0])


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "adagrad"])
def test_float32_weights_stay_float32_and_are_updated_in_place(name):
    opt = optimizers.get(name)
    if isinstance(opt, SGD):
        opt = SGD(momentum=0.9, nesterov=True)
    data = np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32)
    w = Tensor(data, requires_grad=True)
    for _ in range(2):
        opt.apply_gradients([(np.array([[0.1, -0.2], [0.3, 0.4]]), w)])  # a float64 gradient
    assert w.data is data
    assert w.data.dtype == np.float32
    assert not np.allclose(w.data, [[1.0, -2.0], [0.5, 3.0]])
    assert all(slot.dtype == np.float32 for slot in opt._state[w].values())


def test_float32_steps_agree_with_float64_steps():
    for make in (lambda: Adam(learning_rate=0.1), lambda: RMSprop(learning_rate=0.1)):
        w32 = two_steps(make(), np.float32)
        w64 = two_steps(make(), np.float64)
        assert w32 == pytest.approx(w64, rel=1e-5)


def test_step_uses_grad_and_skips_params_without_grad():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0], requires_grad=True)
    (a * a).sum().backward()  # a.grad = [2, 4]; b has no grad
    opt = SGD(learning_rate=0.5)
    opt.step([a, b])
    np.testing.assert_allclose(a.data, [0.0, 0.0])
    np.testing.assert_allclose(b.data, [3.0])
    assert opt.iterations == 1
    opt.zero_grad([a, b])
    assert a.grad is None and b.grad is None


def test_each_variable_keeps_its_own_state():
    a = Tensor([0.0], requires_grad=True)
    b = Tensor([0.0], requires_grad=True)
    opt = SGD(learning_rate=1.0, momentum=0.5)
    opt.apply_gradients([(np.array([1.0]), a), (np.array([-2.0]), b)])
    opt.apply_gradients([(np.array([1.0]), a), (np.array([-2.0]), b)])
    # a: v1 = -1, v2 = -0.5 - 1 = -1.5 -> -2.5; b mirrors it twice as large
    np.testing.assert_allclose(a.data, [-2.5])
    np.testing.assert_allclose(b.data, [5.0])
    assert opt.iterations == 2


def test_adam_bias_correction_uses_the_shared_iteration_counter():
    # Keras: one apply_gradients call is one iteration for every variable in it
    a = Tensor([1.0], requires_grad=True)
    b = Tensor([1.0], requires_grad=True)
    opt = Adam(learning_rate=0.1)
    opt.apply_gradients([(np.array([G1]), a), (np.array([G1]), b)])
    assert opt.iterations == 1
    assert a.data[0] == b.data[0] == pytest.approx(0.900000632451532, rel=1e-12)


def test_training_a_linear_model_reduces_the_loss_with_every_optimizer():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    for name in ("sgd", "adam", "rmsprop", "adagrad"):
        opt = optimizers.get(name)
        opt.learning_rate = 0.1
        w = Tensor(np.zeros((3, 1)), requires_grad=True)
        b = Tensor(np.zeros(1), requires_grad=True)
        losses = []
        for _ in range(30):
            loss = (((Tensor(x) @ w + b) - y) ** 2).mean()
            losses.append(loss.item())
            opt.zero_grad([w, b])
            loss.backward()
            opt.step([w, b])
        assert losses[-1] < 0.5 * losses[0], name


def test_get_resolves_names_instances_and_classes():
    assert isinstance(optimizers.get("sgd"), SGD)
    assert optimizers.get("sgd").learning_rate == 0.01
    assert isinstance(optimizers.get("Adam"), Adam)
    assert isinstance(optimizers.get("RMSprop"), RMSprop)
    assert isinstance(optimizers.get("ADAGRAD"), Adagrad)
    assert isinstance(optimizers.get(Adam), Adam)
    opt = Adam(learning_rate=0.5)
    assert optimizers.get(opt) is opt
    assert Adam().get_config() == {
        "name": "adam",
        "learning_rate": 0.001,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": 1e-7,
        "amsgrad": False,
    }


def test_unknown_optimizer_lists_the_valid_names():
    with pytest.raises(ValueError) as info:
        optimizers.get("sgdd")
    assert str(info.value) == (
        "Unknown optimizer identifier 'sgdd'. Valid names: 'adagrad', 'adam', 'rmsprop', 'sgd'"
    )
    with pytest.raises(ValueError, match="Valid names"):
        optimizers.get(None)
    with pytest.raises(TypeError, match="optimizer identifier 3"):
        optimizers.get(3)


def test_bad_hyperparameters_and_inputs_are_rejected():
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=1.5)
    with pytest.raises(TypeError, match="learning_rate"):
        SGD(learning_rate="fast")
    with pytest.raises(ValueError, match="learning_rate"):
        Adam(learning_rate=-1.0)
    with pytest.raises(ValueError, match="beta"):
        Adam(beta_1=1.0)
    opt = SGD()
    mismatch = r"gradient shape \(3,\) does not match variable shape \(2,\)"
    with pytest.raises(ValueError, match=mismatch):
        opt.apply_gradients([(np.zeros(3), Tensor(np.zeros(2)))])
    with pytest.raises(TypeError, match="updates Tensors"):
        opt.apply_gradients([(np.zeros(2), np.zeros(2))])
    with pytest.raises(TypeError, match="list of Tensors"):
        opt.step([np.zeros(2)])
    assert opt.iterations == 0
