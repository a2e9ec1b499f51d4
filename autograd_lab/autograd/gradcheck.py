"""Check analytical gradients against finite differences (`gradcheck`, `gradgradcheck`).

For a function f and inputs x, the numerical derivative of output element j with respect to
input element i is the central difference

    (f(x + eps·e_i)_j - f(x - eps·e_i)_j) / (2·eps),

and the analytical one is row j of the Jacobian that backward computes when it is given the
one-hot gradient e_j. Both Jacobians are compared element by element. Use float64 inputs:
float32 rounding swamps the differences.
"""

import warnings

import numpy as np

from autograd_lab import backend, dtypes
from autograd_lab.autograd.entry import grad as autograd_grad
from autograd_lab.autograd.grad_mode import no_grad


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the gradients disagree."""


def _as_tuple(value):
    return value if isinstance(value, tuple) else (value,) if not isinstance(value, list) else \
        tuple(value)


def _differentiable(inputs):
    return [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]


def numerical_jacobian(func, inputs, eps=1e-6):
    """Jacobians by central differences: one (n_output_elements, n_input_elements) array per
    (output, differentiable input) pair, listed as `[output][input]`.

    `func` runs with grad mode as it is: gradgradcheck's func computes gradients itself.
    """
    outputs = _as_tuple(func(*inputs))
    jacobians = [[np.zeros((out.numel(), inputs[i].numel())) for i in _differentiable(inputs)]
                 for out in outputs]
    for column, i in enumerate(_differentiable(inputs)):
        data = inputs[i]._data  # nudged in place, one element at a time, then put back
        for k, index in enumerate(np.ndindex(data.shape)):
            original = data[index].item()
            try:
                data[index] = original + eps
                plus = _flat_values(func(*inputs))
                data[index] = original - eps
                minus = _flat_values(func(*inputs))
            finally:
                data[index] = original
            for j, (p, m) in enumerate(zip(plus, minus)):
                jacobians[j][column][:, k] = (p - m) / (2 * eps)
    return jacobians


def _flat_values(outputs):
    return [backend.to_numpy(o._data).astype(np.float64).ravel() for o in _as_tuple(outputs)]


def analytical_jacobian(func, inputs):
    """Jacobians from backward: row r of d output / d input is the gradient for one-hot e_r."""
    outputs = _as_tuple(func(*inputs))
    wrt = [inputs[i] for i in _differentiable(inputs)]
    jacobians = [[np.zeros((out.numel(), x.numel())) for x in wrt] for out in outputs]
    for j, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        for r in range(out.numel()):
            one_hot = np.zeros(out.numel(), dtype=backend.to_numpy(out._data).dtype)
            one_hot[r] = 1
            seed = Tensor._from_array(backend.move(one_hot.reshape(out.shape), out.device),
                                      out.device)
            grads = autograd_grad(out, wrt, seed, retain_graph=True, allow_unused=True)
            for column, g in enumerate(grads):
                if g is not None:
                    jacobians[j][column][r, :] = backend.to_numpy(g._data).ravel()
    return jacobians


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0):
    """True if backward's gradients of `func` at `inputs` match finite differences.

    >>> import autograd_lab as alt
    >>> x = alt.randn(3, dtype=alt.float64, requires_grad=True)
    >>> alt.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    True
    """
    inputs = _as_tuple(inputs)
    for i in _differentiable(inputs):
        if inputs[i].dtype is not dtypes.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point. This check will likely fail if all the inputs are not of "
                          "double precision floating point.", UserWarning, stacklevel=2)
    numerical = numerical_jacobian(func, inputs, eps)
    analytical = analytical_jacobian(func, inputs)
    for j, (num_row, ana_row) in enumerate(zip(numerical, analytical)):
        for column, (num, ana) in enumerate(zip(num_row, ana_row)):
            if not np.allclose(ana, num, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                i = _differentiable(inputs)[column]
                raise GradcheckError(
                    f"Jacobian mismatch for output {j} with respect to input {i},\n"
                    f"numerical:{_matrix_text(num)}\nanalytical:{_matrix_text(ana)}\n"
                )
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True):
    """True if second derivatives are right: gradcheck of "the gradient of func" itself.

    The gradient of func's outputs, weighted by `grad_outputs` (random when not given), is a
    function of the inputs and of those weights; it is built with `create_graph=True` and
    then checked against finite differences like any other function.
    """
    inputs = _as_tuple(inputs)
    with no_grad():
        outputs = _as_tuple(func(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            Tensor._from_array(backend.move(rng.standard_normal(o.shape).astype(
                backend.to_numpy(o._data).dtype), o.device), o.device).requires_grad_()
            for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    count = len(inputs)

    def first_derivatives(*args):
        xs, vs = args[:count], args[count:]
        wrt = [xs[i] for i in _differentiable(xs)]
        outs = _as_tuple(func(*xs))
        pairs = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
        grads = autograd_grad([o for o, _ in pairs], wrt, [v for _, v in pairs],
                              create_graph=True, allow_unused=True, materialize_grads=True)
        return tuple(grads)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


def _matrix_text(matrix):
    return "\n" + np.array2string(matrix, precision=6, suppress_small=True)


from autograd_lab.tensor import Tensor  # noqa: E402
