"""Grad mode: whether new operations are recorded into the graph (thread-local, like PyTorch).

`no_grad`, `enable_grad` and `set_grad_enabled` work as context managers and as decorators
(`@no_grad()`, or `@no_grad` without parentheses):

>>> import autograd_lab as alt
>>> x = alt.ones(2, requires_grad=True)
>>> with alt.no_grad():
...     y = x * 2
>>> y.requires_grad
False
"""

import copy
import functools
import inspect
import threading


class _GradState(threading.local):
    enabled = True  # each thread starts with grad mode on


_state = _GradState()


def is_grad_enabled():
    """True when operations on tensors that require grad are being recorded."""
    return _state.enabled


class _GradModeContext:
    """Set grad mode for a `with` block or for every call of a decorated function."""

    mode = True

    def __new__(cls, *args, **kwargs):
        if cls in (no_grad, enable_grad) and len(args) == 1 and callable(args[0]):
            return cls()(args[0])  # used as a decorator without parentheses: @no_grad
        return super().__new__(cls)

    def __enter__(self):
        self._previous = _state.enabled
        if self.mode is not None:
            _state.enabled = self.mode

    def __exit__(self, *exc_info):
        _state.enabled = self._previous
        return False

    def __call__(self, func):
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def run_in_mode(*args, **kwargs):
            with copy.copy(self):  # a fresh context per call: calls may nest or overlap
                return func(*args, **kwargs)

        return run_in_mode

    def _wrap_generator(self, func):
        """A generator's body runs at each `next()`, so the mode is set around each step."""

        @functools.wraps(func)
        def generate_in_mode(*args, **kwargs):
            generator = func(*args, **kwargs)
            while True:
                with copy.copy(self):
                    try:
                        value = next(generator)
                    except StopIteration as stop:
                        return stop.value
                yield value

        return generate_in_mode


class no_grad(_GradModeContext):
    """Stop recording: results computed inside have `requires_grad=False`.

    Used for updates of weights, evaluation, and anything that must not enter the graph.
    """

    mode = False


class enable_grad(_GradModeContext):
    """Record again inside a `no_grad` block."""

    mode = True


class inference_mode(no_grad):
    """Same as `no_grad` here (PyTorch adds further speed-ups that need no teaching).

    `inference_mode(False)` leaves grad mode as it is.
    """

    def __init__(self, mode=True):
        self.mode = False if mode else None


class set_grad_enabled(_GradModeContext):
    """`set_grad_enabled(False)` turns recording off now; in a `with` block, only inside it."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._previous = _state.enabled
        _state.enabled = self.mode

    def __enter__(self):
        pass

    def __repr__(self):
        return f"autograd_lab.autograd.grad_mode.set_grad_enabled(mode={self.mode})"

    def __call__(self, func):
        _state.enabled = self._previous
        mode = self.mode

        @functools.wraps(func)
        def run_in_mode(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return run_in_mode
