"""The graph is freed after backward: intermediates die with the output, ordinary ops make no
reference cycles, and memory stays flat over thousands of training steps."""

import gc
import weakref

import numpy as np
import pytest

import autograd_lab as alt
from autograd_lab.autograd import events


@pytest.fixture
def no_gc():
    """Only reference counting frees objects: anything that needs the cycle collector leaks.

    Nobody listens to engine events meanwhile (a viewer may keep nodes alive on purpose).
    """
    listening = events.listeners[:]
    events.listeners.clear()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        events.listeners[:] = listening


def small_step(w1, w2, x, y, lr=1e-3):
    loss = ((x.mm(w1).relu().mm(w2) - y) ** 2).mean()
    loss.backward()
    with alt.no_grad():
        w1 -= lr * w1.grad
        w2 -= lr * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
    return loss.item()


def test_intermediates_are_collectable_once_the_output_is_dropped(no_gc):
    x = alt.randn(4, 3, requires_grad=True)
    h = x * 2
    r = h.exp()
    out = (r * h).sum()
    refs = [weakref.ref(t) for t in (h, r)] + [weakref.ref(t.grad_fn) for t in (h, r, out)]
    del h, r
    out.backward()
    assert all(ref() is not None for ref in refs[2:])  # the graph lives as long as `out`
    del out
    assert [ref() for ref in refs] == [None] * len(refs)
    assert x.grad is not None


def test_saved_tensors_are_released_by_backward_even_while_the_output_lives(no_gc):
    x = alt.randn(3, requires_grad=True)
    h = x.exp()
    out = (h * h).sum()
    h_ref = weakref.ref(h)
    del h
    assert h_ref() is not None  # saved by MulBackward0
    out.backward()
    assert h_ref() is None


def test_graph_is_freed_without_backward_too(no_gc):
    x = alt.randn(3, requires_grad=True)
    out = (x.exp() * x).sum()
    node = weakref.ref(out.grad_fn)
    del out
    assert node() is None


def test_ordinary_ops_make_no_reference_cycles(no_gc):
    x = alt.randn(4, 4, requires_grad=True)
    w = alt.randn(4, 2, requires_grad=True)
    for _ in range(3):
        h = x.mm(w)
        h.retain_grad()
        h.register_hook(lambda g: g * 1)
        y = (h.relu() ** 2).mean() + h.sum(dim=0).exp().sum() / 10
        masked = h.clone()
        masked[masked < 0] = 0
        y = y + masked.t().reshape(-1).sum() + x[1:3, ::2].sum()
        y.backward(retain_graph=True)
        alt.autograd.grad(y, [x, w])
        with alt.no_grad():
            x -= 0.01 * x.grad
        x.grad = None
        del h, y, masked
    assert gc.collect() == 0


def test_custom_function_makes_no_reference_cycles(no_gc):
    class Square(alt.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            ctx.note = "kept on the node"
            return t * t

        @staticmethod
        def backward(ctx, grad):
            (t,) = ctx.saved_tensors
            return 2 * t * grad

    x = alt.randn(3, requires_grad=True)
    for _ in range(3):
        Square.apply(x).sum().backward()
    assert gc.collect() == 0


def test_training_steps_make_no_reference_cycles(no_gc):
    alt.manual_seed(0)
    x, y = alt.randn(8, 5), alt.randn(8, 2)
    w1 = alt.randn(5, 6, requires_grad=True)
    w2 = alt.randn(6, 2, requires_grad=True)
    for _ in range(20):
        small_step(w1, w2, x, y)
    assert gc.collect() == 0


def test_memory_stays_flat_over_thousands_of_training_steps():
    psutil = pytest.importorskip("psutil")
    process = psutil.Process()
    alt.manual_seed(0)
    x, y = alt.randn(16, 20), alt.randn(16, 3)
    w1 = alt.randn(20, 32, requires_grad=True)
    w2 = alt.randn(32, 3, requires_grad=True)
    for _ in range(300):  # warm up allocators and caches
        small_step(w1, w2, x, y)
    gc.collect()
    before = process.memory_info().rss
    losses = [small_step(w1, w2, x, y) for _ in range(3000)]
    gc.collect()
    grown = process.memory_info().rss - before
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    # one leaked graph per step (~10 nodes and their saved arrays) would be several MB
    assert grown < 2 * 2**20, f"RSS grew by {grown / 2**20:.1f} MiB over 3000 steps"


def test_leaf_keeps_no_strong_reference_to_its_accumulate_grad_node(no_gc):
    x = alt.ones(2, requires_grad=True)
    y = x * 2
    node = weakref.ref(y.grad_fn.next_functions[0][0])
    assert node().variable is x
    del y
    assert node() is None
