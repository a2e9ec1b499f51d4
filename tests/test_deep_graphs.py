"""Graphs far deeper than Python's recursion limit: built, differentiated, printed and freed.

Nothing in the engine recurses: chains of 100,000 and of a million operations both work.
"""

import sys

import pytest

import autograd_lab as alt
from autograd_lab.autograd import events

DEPTH = 100_000


def chain(depth, x):
    y = x
    for _ in range(depth):
        y = y + 1.0
    return y


def run_chain(depth):
    assert depth > 10 * sys.getrecursionlimit()
    x = alt.tensor(1.0, requires_grad=True)
    y = chain(depth, x)
    y.backward()
    assert x.grad.item() == 1.0 and y.item() == depth + 1
    assert repr(y).startswith(f"tensor({depth + 1}.") and "AddBackward0" in repr(y.grad_fn)
    del y  # freeing the chain must not recurse either


def test_backward_through_a_chain_100_000_deep():
    run_chain(DEPTH)


@pytest.mark.slow  # about ten seconds and half a gigabyte; deselect with -m "not slow"
def test_backward_through_a_chain_a_million_deep():
    run_chain(1_000_000)


def test_deep_chain_of_multiplications_keeps_saved_tensors_and_frees_them():
    x = alt.tensor(1.0, dtype=alt.float64, requires_grad=True)
    y = x
    for _ in range(DEPTH // 4):
        y = y * 1.0001
    y.backward(retain_graph=True)
    first = x.grad.item()
    y.backward()
    assert x.grad.item() == pytest.approx(2 * first)
    assert first == pytest.approx(1.0001 ** (DEPTH // 4))
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_autograd_grad_through_a_deep_chain():
    x = alt.tensor(2.0, requires_grad=True)
    h = x * 1
    y = chain(DEPTH // 2, h)
    (gx, gh) = alt.autograd.grad(y, [x, h])
    assert gx.item() == 1.0 and gh.item() == 1.0


def test_create_graph_through_a_deep_chain():
    x = alt.tensor(3.0, dtype=alt.float64, requires_grad=True)
    y = x * x
    for _ in range(DEPTH // 10):
        y = y + 0.5
    (g,) = alt.autograd.grad(y, x, create_graph=True)
    (gg,) = alt.autograd.grad(g, x)
    assert g.item() == 6.0 and gg.item() == 2.0


def test_wide_fan_in_of_one_leaf_sums_every_use():
    x = alt.tensor(1.0, requires_grad=True)
    total = x * 0
    for _ in range(DEPTH // 10):
        total = total + x
    total.backward()
    assert x.grad.item() == DEPTH // 10


def test_events_during_a_deep_backward_do_not_recurse():
    count = [0]

    def listener(kind, details):
        count[0] += kind == "node_finished"

    x = alt.tensor(1.0, requires_grad=True)
    unsubscribe = events.subscribe(listener)
    try:
        y = chain(DEPTH // 10, x)
        y.backward()
    finally:
        unsubscribe()
    assert count[0] == DEPTH // 10


def test_core_functions_never_call_themselves():
    """A cheap guard against recursion creeping into the core: no function calls its own name."""
    import ast
    from pathlib import Path

    package = Path(alt.__file__).parent
    files = ["tensor.py", "creation.py", "autograd/function.py", "autograd/engine.py",
             "autograd/grad_mode.py", "autograd/gradcheck.py", "autograd/anomaly.py",
             "autograd/events.py"]
    for name in files:
        tree = ast.parse((package / name).read_text())
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call):
                    continue
                target = call.func
                called = target.id if isinstance(target, ast.Name) else (
                    target.attr if isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id in ("self", "cls") else None)
                assert called != function.name, f"{name}: {function.name} calls itself"
