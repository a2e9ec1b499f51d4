"""`SGD`: stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay.

The update for each parameter p with gradient g, step after step (PyTorch's rule):

    g = g + weight_decay * p                    (if weight_decay)
    b = g  at the first step, then  b = momentum * b + (1 - dampening) * g
    g = g + momentum * b  with nesterov,  else  g = b       (if momentum)
    p = p - lr * g

Momentum keeps a running direction `b` (the `momentum_buffer` in `optimizer.state[p]`), which
smooths out noisy gradients and speeds up along directions that agree from step to step.

>>> import autograd_lab as alt
>>> w = alt.nn.Parameter(alt.tensor([1.0]))
>>> optimizer = alt.optim.SGD([w], lr=0.1)
>>> (w * 3).sum().backward()
>>> optimizer.step()
>>> w
Parameter containing:
tensor([0.7000], requires_grad=True)
"""

from autograd_lab.autograd.grad_mode import no_grad
from autograd_lab.optim.optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent: `p = p - lr * g`, with the options above (all off by default)."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss, if any."""
        loss = self._loss_from(closure)
        with no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is not None:
                        self._update(param, group)
        return loss

    def _update(self, param, group):
        grad = -param.grad if group["maximize"] else param.grad
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        momentum = group["momentum"]
        if momentum != 0:
            state = self.state[param]
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = grad.clone().detach()
            else:
                buffer.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
            grad = grad.add(buffer, alpha=momentum) if group["nesterov"] else buffer
        param.add_(grad, alpha=-group["lr"])
