"""`Adam`: gradient descent with a step size adapted to each parameter (Kingma & Ba, 2014).

For each parameter p with gradient g, at step t (PyTorch's rule):

    g = g + weight_decay * p                            (if weight_decay)
    m = beta1 * m + (1 - beta1) * g                     running mean of the gradient
    v = beta2 * v + (1 - beta2) * g²                    running mean of its square
    v_max = max(v_max, v), used instead of v            (if amsgrad)
    m̂ = m / (1 - beta1^t),  v̂ = v / (1 - beta2^t)       undo the pull towards the zero start
    p = p - lr * m̂ / (sqrt(v̂) + eps)

Dividing by sqrt(v̂) makes every parameter move by about `lr` per step, whatever the scale
of its gradient. `m`, `v` and `t` live in `optimizer.state[p]` as `exp_avg`, `exp_avg_sq`
and `step`. With `decoupled_weight_decay=True`, weight decay shrinks p directly instead
(`p = p * (1 - lr * weight_decay)`, the AdamW rule).
"""

import math

from autograd_lab import dtypes
from autograd_lab.autograd.grad_mode import no_grad
from autograd_lab.creation import tensor, zeros_like
from autograd_lab.optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adam with `lr`, `betas=(beta1, beta2)`, `eps`, `weight_decay`, `amsgrad`, `maximize`."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

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
            state["exp_avg"] = zeros_like(param)
            state["exp_avg_sq"] = zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_like(param)
        lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
        grad = -param.grad if group["maximize"] else param.grad
        state["step"] += 1
        step = state["step"].item()

        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_avg_sq.mul_(beta2).add_(grad * grad, alpha=1 - beta2)
        if group["amsgrad"]:
            state["max_exp_avg_sq"].copy_(state["max_exp_avg_sq"].maximum(exp_avg_sq))
            exp_avg_sq = state["max_exp_avg_sq"]

        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = math.sqrt(1 - beta2 ** step)
        denominator = exp_avg_sq.sqrt() / bias_correction2_sqrt + group["eps"]
        param.add_(exp_avg / denominator, alpha=-step_size)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): each step first shrinks the
    weights, `p = p * (1 - lr * weight_decay)`, and leaves the gradient alone, so the decay is
    not rescaled by Adam's per-parameter step size. Weight decay defaults to 0.01."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)
