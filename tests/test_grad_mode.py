"""Grad mode: no_grad / enable_grad / set_grad_enabled / inference_mode, thread-local, restored."""

import threading

import pytest

import autograd_lab as alt


@pytest.fixture
def x():
    return alt.ones(2, requires_grad=True)


def test_no_grad_block_makes_results_that_do_not_require_grad(x):
    with alt.no_grad():
        assert not alt.is_grad_enabled()
        y = x * 2
    assert alt.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_enable_grad_records_again_inside_no_grad(x):
    with alt.no_grad():
        with alt.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_no_grad_works_as_a_decorator_with_and_without_parentheses(x):
    @alt.no_grad()
    def double(t):
        return t * 2

    @alt.no_grad
    def triple(t):
        return t * 3

    assert not double(x).requires_grad and not triple(x).requires_grad
    assert triple.__name__ == "triple"
    assert alt.is_grad_enabled()


def test_enable_grad_works_as_a_decorator(x):
    @alt.enable_grad
    def double(t):
        return t * 2

    with alt.no_grad():
        assert double(x).requires_grad


def test_set_grad_enabled_as_a_function_a_block_and_a_decorator(x):
    alt.set_grad_enabled(False)
    try:
        assert not alt.is_grad_enabled()
    finally:
        alt.set_grad_enabled(True)
    with alt.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert alt.is_grad_enabled()

    @alt.set_grad_enabled(False)
    def double(t):
        return t * 2

    assert alt.is_grad_enabled()
    assert not double(x).requires_grad and alt.is_grad_enabled()


def test_set_grad_enabled_prints_its_mode():
    with alt.set_grad_enabled(True) as context:
        assert context is None
    assert "set_grad_enabled(mode=True)" in repr(alt.set_grad_enabled(True))


def test_inference_mode_stops_recording_and_false_leaves_the_mode_alone(x):
    with alt.inference_mode():
        assert not (x * 2).requires_grad
    with alt.no_grad(), alt.inference_mode(False):
        assert not alt.is_grad_enabled()
    with alt.inference_mode(mode=False):
        assert alt.is_grad_enabled()

    @alt.inference_mode()
    def double(t):
        return t * 2

    assert not double(x).requires_grad


def test_grad_mode_is_restored_after_an_exception(x):
    with pytest.raises(ValueError):
        with alt.no_grad():
            raise ValueError("boom")
    assert alt.is_grad_enabled()

    @alt.no_grad()
    def failing():
        raise KeyError("boom")

    with pytest.raises(KeyError):
        failing()
    assert alt.is_grad_enabled()


def test_grad_mode_is_restored_after_a_failed_backward(x):
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError):
        y.backward(create_graph=False)
    assert alt.is_grad_enabled()


def test_backward_runs_without_recording_unless_create_graph(x):
    seen = []

    class Probe(alt.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 1

        @staticmethod
        def backward(ctx, grad):
            seen.append(alt.is_grad_enabled())
            return grad

    Probe.apply(x).sum().backward()
    Probe.apply(x).sum().backward(create_graph=True)
    assert seen == [False, True]
    assert alt.is_grad_enabled()


def test_grad_mode_is_thread_local(x):
    results = {}
    started, release = threading.Event(), threading.Event()

    def other_thread():
        results["at_start"] = alt.is_grad_enabled()
        started.set()
        release.wait(5)
        results["while_main_has_no_grad"] = (x * 2).requires_grad

    thread = threading.Thread(target=other_thread)
    with alt.no_grad():
        thread.start()
        started.wait(5)
        release.set()
        thread.join(5)
        assert not alt.is_grad_enabled()
    assert results == {"at_start": True, "while_main_has_no_grad": True}


def test_no_grad_in_another_thread_does_not_leak_here(x):
    done = threading.Event()

    def other_thread():
        alt.set_grad_enabled(False)
        done.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join(5)
    assert done.is_set() and alt.is_grad_enabled() and (x * 2).requires_grad


def test_nested_blocks_restore_the_mode_of_each_level():
    with alt.no_grad():
        with alt.enable_grad():
            with alt.no_grad():
                assert not alt.is_grad_enabled()
            assert alt.is_grad_enabled()
        assert not alt.is_grad_enabled()
    assert alt.is_grad_enabled()


def test_decorated_function_can_call_itself():
    @alt.no_grad()
    def countdown(n):
        return n if n == 0 else countdown(n - 1)

    with alt.enable_grad():
        countdown(3)
        assert alt.is_grad_enabled()


def test_updates_under_no_grad_on_a_leaf_are_allowed(x):
    with alt.no_grad():
        x -= 0.5
        x.mul_(2)
        x[0] = 7.0
    assert x.tolist() == [7.0, 1.0] and x.is_leaf and x.requires_grad


def test_decorated_generator_runs_each_step_in_the_mode(x):
    @alt.no_grad()
    def doubles(t, n):
        for _ in range(n):
            assert not alt.is_grad_enabled()
            t = t * 2
            yield t
        return "done"

    results = []
    generator = doubles(x, 3)
    for y in generator:
        assert alt.is_grad_enabled()  # the caller's mode between steps
        results.append(y)
    assert [r.requires_grad for r in results] == [False] * 3
    assert results[-1].tolist() == [8.0, 8.0]
