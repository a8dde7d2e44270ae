"""chainrule's reverse-mode automatic differentiation engine.

>>> from autograd import Value
>>> x = Value(3.0)
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad
8.0
"""

from autograd.engine import (
    Function,
    Node,
    backward,
    enable_grad,
    is_grad_enabled,
    name_scope,
    no_grad,
)
from autograd.gradcheck import GradcheckError, gradcheck
from autograd.tensor import Tensor, concatenate, maximum, minimum, stack, where
from autograd.value import Value
from autograd.viz import draw_graph, save_graph

__all__ = [
    "Function",
    "GradcheckError",
    "Node",
    "Tensor",
    "Value",
    "backward",
    "concatenate",
    "draw_graph",
    "enable_grad",
    "gradcheck",
    "is_grad_enabled",
    "maximum",
    "minimum",
    "name_scope",
    "no_grad",
    "save_graph",
    "stack",
    "where",
]
