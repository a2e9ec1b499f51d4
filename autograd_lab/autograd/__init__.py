"""autograd: the `Function` contract, the backward engine, grad modes and gradient checks.

Mirrors `torch.autograd`: `Function`, `backward`, `grad`, `gradcheck`, `gradgradcheck`,
`no_grad`, `enable_grad`, `set_grad_enabled`.
"""

from autograd_lab.autograd.anomaly import detect_anomaly, set_detect_anomaly  # noqa: F401
from autograd_lab.autograd.entry import autograd_backward as backward  # noqa: F401
from autograd_lab.autograd.entry import grad
from autograd_lab.autograd.function import AccumulateGrad, Function, Node  # noqa: F401
from autograd_lab.autograd.grad_mode import (  # noqa: F401
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from autograd_lab.autograd.gradcheck import gradcheck, gradgradcheck  # noqa: F401
