"""`RMSprop`: divide each step by a running average of the gradient's size (Hinton, 2012).

For each parameter p with gradient g, step after step (PyTorch's rule):

    g = g + weight_decay * p                            (if weight_decay)
    v = alpha * v + (1 - alpha) * g²                    running mean of the squared gradient
    a = alpha * a + (1 - alpha) * g,  d = sqrt(v - a²) + eps    (if centered)
    d = sqrt(v) + eps                                   (otherwise)
    b = momentum * b + g / d,  p = p - lr * b           (if momentum)
    p = p - lr * g / d                                  (otherwise)

Like Adam, it moves every parameter by about `lr` per step whatever the scale of its gradient,
but without Adam's running mean of g and its bias correction. `v`, `a` and `b` live in
`optimizer.state[p]` as `square_avg`, `grad_avg` and `momentum_buffer`.
"""

from autograd_lab import dtypes
from autograd_lab.autograd.grad_mode import no_grad
from autograd_lab.creation import tensor, zeros_like
from autograd_lab.optim.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop with `lr`, `alpha`, `eps`, `weight_decay`, `momentum`, `centered`, `maximize`."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if alpha < 0.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

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
        state = self.state[param]
        if not state:
            state["step"] = tensor(0.0, dtype=dtypes.float32)
            state["square_avg"] = zeros_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = zeros_like(param)
        state["step"] += 1
        alpha = group["alpha"]
        grad = -param.grad if group["maximize"] else param.grad
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        square_avg = state["square_avg"]
        square_avg.mul_(alpha).add_(grad * grad, alpha=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg.mul_(alpha).add_(grad, alpha=1 - alpha)
            denominator = (square_avg - grad_avg * grad_avg).sqrt() + group["eps"]
        else:
            denominator = square_avg.sqrt() + group["eps"]
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"]
            buffer.mul_(group["momentum"]).add_(grad / denominator)
            param.add_(buffer, alpha=-group["lr"])
        else:
            param.add_(grad / denominator, alpha=-group["lr"])
