"""Getting values out of a tensor: `item()`, `tolist()`, `numpy()`, `float(x)`, `if x:`,
`f"{x:.3f}"`, and `copy.deepcopy(x)`. Attached to Tensor, like every method defined outside
`tensor.py`."""

from autograd_lab import backend
from autograd_lab.tensor import Tensor, attach_methods


class _ValueMethods:
    def __deepcopy__(self, memo):
        """`copy.deepcopy(t)`: a new leaf with its own copy of the values (and of `.grad`).

        Like PyTorch, only leaves can be copied: a copy of an intermediate result could not
        carry its history along.
        """
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        if id(self) not in memo:
            result = Tensor._from_array(self._data.copy(), self._device)
            result._requires_grad = self._requires_grad
            if self._grad is not None:
                result._grad = self._grad.__deepcopy__(memo)
            memo[id(self)] = result
        return memo[id(self)]

    # -- leaving autograd_lab ----------------------------------------------------------------

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        """The values as (nested) Python lists."""
        return backend.to_numpy(self._data).tolist()

    def numpy(self):
        """The numpy array behind the tensor (shared memory). Only for cpu tensors without grad."""
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self._device.type != "cpu":
            raise TypeError(f"can't convert {self._device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        array = self.detach().numpy() if self._device.type == "cpu" else None
        if array is None:
            self.numpy()  # raises the message that says to call .cpu()
        return array if dtype is None else array.astype(dtype)

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return format(repr(self), spec)


attach_methods(_ValueMethods)
