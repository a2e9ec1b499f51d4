"""`autograd_lab.optim`: optimizers that update parameters from their gradients.

`SGD` (with momentum, Nesterov, weight decay), `Adam` (with weight decay, AMSGrad), `AdamW`
(Adam with decoupled weight decay) and `RMSprop`, following PyTorch's update rules step for
step, on the common base class `Optimizer`.
"""

from autograd_lab.optim.adam import Adam, AdamW
from autograd_lab.optim.optimizer import Optimizer
from autograd_lab.optim.rmsprop import RMSprop
from autograd_lab.optim.sgd import SGD
