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

    - `steps`: `(Function class, settings)` pairs that remake the view from the base.
    - `version`: the storage version its `grad_fn` was made at; a newer one means stale.
    - `made_by`: None for an ordinary view; "no_grad", or "Output 0 of Unbind" for views of
      the kinds whose in-place changes cannot be recorded.
    """

    __slots__ = ("steps", "version", "made_by")

    def __init__(self, steps, version, made_by):
        self.steps, self.version, self.made_by = steps, version, made_by


def record_views(base, outputs, cls, settings):
    """Make each of `outputs` a view of `base` (or of the tensor `base` is itself a view of)."""
    parent = base._view
    steps = (parent.steps if parent is not None else ()) + ((cls, settings),)
    root = base if parent is None else base._base
    name = cls.node_name.rsplit("Backward", 1)[0]
    for output_nr, out in enumerate(outputs):
        made_by = None if grad_mode._state.enabled else "no_grad"
        if made_by is None:  # a view of a view inherits its kind
            made_by = "several" if len(outputs) > 1 else parent and parent.made_by
        if made_by not in (None, "no_grad"):
            made_by = f"Output {output_nr} of {name}"
        out._version_cell = base._version_cell  # same storage, same version counter
        out._base = root
        out._view = ViewInfo(steps, base._version_cell[0], made_by)


def view_error(view, what):
    """PyTorch's refusal for a view whose in-place change cannot be recorded."""
    made_by = view._view.made_by
    if made_by == "no_grad":
        return RuntimeError(
            f"A view was created in no_grad mode and {what} with grad mode enabled. Given that "
            "this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
            "code by moving both the view and the inplace either both inside the no_grad block "
            "(if you don't want the inplace to be tracked) or both outside (if you want the "
            "inplace to be tracked).")
    return RuntimeError(
        f"{made_by} is a view and {what}. This view is the output of a function that returns "
        "multiple views. Such functions do not allow the output views to be modified inplace. "
        "You should replace the inplace operation by an out-of-place one.")
