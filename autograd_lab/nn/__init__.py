"""`autograd_lab.nn`: building blocks for neural networks, with PyTorch's names.

- `Module`, the base class of layers and models, and `Parameter`, a learnable tensor;
- layers: `Linear`, `LazyLinear`, `Embedding`, `Identity`, `ReLU`, `Tanh`, `Sigmoid`,
  `Softmax`, `LogSoftmax`, `Flatten`, `Dropout`; containers: `Sequential`, `ModuleList`;
- losses: `MSELoss`, `CrossEntropyLoss`, `NLLLoss`, `BCELoss`, `BCEWithLogitsLoss`;
- `nn.functional` (the same computations as functions) and `nn.init` (starting values).
"""

from autograd_lab.nn import functional, init
from autograd_lab.nn.activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from autograd_lab.nn.container import ModuleList, Sequential
from autograd_lab.nn.dropout import Dropout
from autograd_lab.nn.embedding import Embedding
from autograd_lab.nn.flatten import Flatten
from autograd_lab.nn.lazy import LazyLinear, UninitializedParameter
from autograd_lab.nn.linear import Identity, Linear
from autograd_lab.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from autograd_lab.nn.module import Module
from autograd_lab.nn.parameter import Parameter
