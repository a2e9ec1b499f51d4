"""`autograd_lab.optim`: optimizers that update parameters from their gradients.

`SGD` (with momentum, Nesterov, weight decay) and `Adam` (with weight decay, AMSGrad), both
following PyTorch's update rules step for step, on the common base class `Optimizer`.
"""

from autograd_lab.optim.adam import Adam
from autograd_lab.optim.optimizer import Optimizer
from autograd_lab.optim.sgd import SGD
