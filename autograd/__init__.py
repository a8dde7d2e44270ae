"""chainrule's reverse-mode automatic differentiation engine.

>>> from autograd import Value
>>> x = Value(3.0)
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad
8.0
"""

from autograd import _malloc  # noqa: F401  (first: keep freed memory for the next step)
from autograd.anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled
from autograd.convolution import (
    avg_pool,
    conv,
    max_pool,
    pad,
    same_padding,
    sliding_windows,
    unstack,
)
from autograd.engine import (
    Function,
    Node,
    backward,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    name_scope,
    no_grad,
    set_grad_enabled,
)
from autograd.functional import grad, hessian, jacobian, value_and_grad
from autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autograd.jit import UntraceableError, jit
from autograd.recurrent import gru, lstm
from autograd.tensor import (
    Tensor,
    affine,
    concatenate,
    maximum,
    minimum,
    softmax_cross_entropy,
    stack,
    where,
)
from autograd.value import Value
from autograd.viz import draw_graph, save_graph
from autograd.explain import Explanation, explain  # noqa: E402  (after viz: it uses its labels)

__all__ = [
    "AnomalyError",
    "UntraceableError",
    "Explanation",
    "Function",
    "GradcheckError",
    "Node",
    "Tensor",
    "Value",
    "affine",
    "avg_pool",
    "backward",
    "concatenate",
    "conv",
    "detect_anomaly",
    "draw_graph",
    "enable_grad",
    "explain",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "gru",
    "jit",
    "hessian",
    "inference_mode",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "jacobian",
    "lstm",
    "max_pool",
    "maximum",
    "minimum",
    "name_scope",
    "no_grad",
    "pad",
    "same_padding",
    "save_graph",
    "set_grad_enabled",
    "sliding_windows",
    "softmax_cross_entropy",
    "stack",
    "unstack",
    "value_and_grad",
    "where",
]
