"""Views: tensors that share their base's storage, and what each one remembers about its base.

`y[0]`, `y.t()`, `y.view(2, 3)`, `y.expand(4, 3)` make views: no values are copied, so a change
made through a view is a change of the base, and the other way round. For autograd that means
history has to follow the storage, as in PyTorch:

- a view keeps the recipe that made it from its base (`steps`), so that its `grad_fn` can be
  made again from the base's *current* history once the base (or another view of it) was
  changed in place (`Tensor._follow_base`, `ops.inplace.redo_view`);
- an in-place change through a view rewrites the base's history (`ops.inplace.CopySlices`).

Two kinds of views cannot take part and raise PyTorch's errors: views made under `no_grad`
(was the change meant to be recorded or not?) and the outputs of `split`/`unbind`/`chunk`.
"""

from autograd_lab.autograd import grad_mode


class ViewInfo:
    """What a view knows about its base.

    - `steps`: `(op class, settings)` pairs that remake the view from the base.
    - `version`: the storage version its `grad_fn` was made at; a newer one means stale.
    - `made_by`: None for an ordinary view, else why its in-place changes cannot be
      recorded: "no_grad" (made under no_grad, or from such a view) or "several" (one of
      several outputs, or a view of one).
    """

    __slots__ = ("steps", "version", "made_by")

    def __init__(self, steps, version, made_by):
        self.steps, self.version, self.made_by = steps, version, made_by


def record_views(base, outputs, cls, settings, several):
    """Make each of `outputs` a view of `base` (or of the tensor `base` is itself a view of).

    `several`: the op returns a tuple of views (`split`, `unbind`), even of one.
    """
    parent = base._view
    steps = (parent.steps if parent is not None else ()) + ((cls, settings),)
    root = base if parent is None else base._base
    if not grad_mode._state.enabled:
        made_by = "no_grad"
    elif several:
        made_by = "several"
    else:
        made_by = parent and parent.made_by  # a view of a view inherits its kind
    for out in outputs:
        out._version_cell = base._version_cell  # same storage, same version counter
        out._base = root
        out._view = ViewInfo(steps, base._version_cell[0], made_by)


def view_error(view, what):
    """PyTorch's refusal for a view whose in-place change cannot be recorded.

    `what`: "is being" (the view itself is changed) or "its base or another view of its
    base has been".
    """
    node = view._grad_fn
    if node is None:
        text = (f"A view was created in no_grad mode and {what} modified inplace with grad mode "
                "enabled.")
    else:
        name = node.name().replace("Backward0", "").replace("Backward", "")  # PyTorch's words
        made = f"Output {view._output_nr} of {name} is a view"
        text = (f"{made} of a view which was created in no_grad mode and {what} modified "
                "inplace with grad mode enabled." if view._view.made_by == "no_grad"
                else f"{made} and {what} modified inplace.")
    if view._view.made_by == "no_grad":
        return RuntimeError(
            f"{text} Given that this use case is ambiguous and error-prone, it is forbidden. You "
            "can clarify your code by moving both the view and the inplace either both inside "
            "the no_grad block (if you don't want the inplace to be tracked) or both outside (if "
            "you want the inplace to be tracked).")
    return RuntimeError(
        f"{text} This view is the output of a function that returns multiple views. Such "
        "functions do not allow the output views to be modified inplace. You should replace "
        "the inplace operation by an out-of-place one.")
