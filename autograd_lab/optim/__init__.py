"""`autograd_lab.optim`: optimizers that update parameters from their gradients.

`SGD` (with momentum, Nesterov, weight decay), `Adam` (with weight decay, AMSGrad) and `AdamW`
(Adam with decoupled weight decay), following PyTorch's update rules step for step, on the
common base class `Optimizer`.
"""

from autograd_lab.optim.adam import Adam, AdamW
from autograd_lab.optim.optimizer import Optimizer
from autograd_lab.optim.sgd import SGD
