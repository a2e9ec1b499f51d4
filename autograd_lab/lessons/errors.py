"""Show an error on purpose, the way every lesson does: its type and message, nothing more.

A lesson that wants you to *see* an error (backward twice, an in-place change to a saved
tensor) runs the line inside `show_error()`. The cell then prints one line instead of a
traceback through the engine's frames, and the notebook keeps running.

>>> import autograd_lab as alt
>>> with show_error():
...     alt.ones(3, requires_grad=True).backward()
RuntimeError: grad can be implicitly created only for scalar outputs
"""

from contextlib import contextmanager


@contextmanager
def show_error():
    """Run the block; print `Type: message` if it raises, or say that nothing was raised."""
    try:
        yield
    except Exception as error:
        print(f"{type(error).__name__}: {error}")
    else:
        print("(no error this time)")
