"""A Hypothesis state machine interleaves backward, zero_(), retain_graph, detach, no_grad and
in-place updates, and checks `.grad` after every step against a simple model of what PyTorch
would hold (and which calls it would refuse)."""

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import autograd_lab as alt


class Graph:
    """A scalar built from the leaf, and what the model knows about it."""

    def __init__(self, out, expected_grad, saves_leaf, leaf_version, tracked):
        self.out = out
        self.expected_grad = expected_grad  # d out / d leaf, fixed when the graph was built
        self.saves_leaf = saves_leaf  # did an op keep the leaf itself for backward?
        self.leaf_version = leaf_version
        self.tracked = tracked  # False when built under no_grad or from a detached alias
        self.freed = False


class GradMachine(RuleBasedStateMachine):
    @initialize(values=st.lists(st.integers(-4, 4), min_size=3, max_size=3))
    def make_leaf(self, values):
        self.x = alt.tensor([float(v) for v in values], dtype=alt.float64, requires_grad=True)
        self.model_values = np.array(values, dtype=np.float64)
        self.model_grad = None
        self.graphs = []

    # -- building graphs -----------------------------------------------------------------------

    def _add(self, out, expected_grad, saves_leaf, tracked=True):
        self.graphs.append(Graph(out, expected_grad, saves_leaf, self.x._version, tracked))

    @rule(scale=st.integers(-3, 3))
    def build_linear(self, scale):
        c = np.arange(1.0, 4.0) * scale
        self._add((self.x * alt.tensor(c, dtype=alt.float64)).sum(), c, saves_leaf=False)

    @rule()
    def build_square(self):
        self._add((self.x * self.x).sum(), 2 * self.model_values, saves_leaf=True)

    @rule()
    def build_through_non_leaf_with_retained_grad(self):
        h = self.x * 2
        h.retain_grad()
        self._add((h + 1).sum(), np.full(3, 2.0), saves_leaf=False)

    @rule()
    def build_under_no_grad(self):
        with alt.no_grad():
            out = (self.x * self.x).sum()
        self._add(out, None, saves_leaf=False, tracked=False)

    @rule()
    def build_from_detached_alias(self):
        self._add((self.x.detach() * 3).sum(), None, saves_leaf=False, tracked=False)

    # -- running backward ------------------------------------------------------------------------

    @precondition(lambda self: self.graphs)
    @rule(pick=st.integers(0, 99), retain=st.booleans())
    def backward(self, pick, retain):
        graph = self.graphs[pick % len(self.graphs)]
        if not graph.tracked:
            with pytest.raises(RuntimeError, match="does not require grad"):
                graph.out.backward()
            return
        if graph.freed and graph.saves_leaf is not None:
            with pytest.raises(RuntimeError, match="backward through the graph a second time"):
                graph.out.backward(retain_graph=retain)
            return
        if graph.saves_leaf and self.x._version != graph.leaf_version:
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                graph.out.backward(retain_graph=retain)
            return
        graph.out.backward(retain_graph=retain)
        grad = graph.expected_grad
        self.model_grad = grad.copy() if self.model_grad is None else self.model_grad + grad
        graph.freed = graph.freed or not retain

    @precondition(lambda self: self.graphs)
    @rule(pick=st.integers(0, 99))
    def autograd_grad_leaves_dot_grad_alone(self, pick):
        graph = self.graphs[pick % len(self.graphs)]
        if graph.tracked and not graph.freed and (
                not graph.saves_leaf or self.x._version == graph.leaf_version):
            (g,) = alt.autograd.grad(graph.out, self.x, retain_graph=True)
            np.testing.assert_allclose(g.numpy(), graph.expected_grad)

    # -- changing gradients and values ---------------------------------------------------------

    @precondition(lambda self: self.model_grad is not None)
    @rule()
    def zero_grad_in_place(self):
        self.x.grad.zero_()
        self.model_grad[:] = 0

    @rule()
    def set_grad_to_none(self):
        self.x.grad = None
        self.model_grad = None

    @rule(step=st.integers(-2, 2))
    def update_under_no_grad(self, step):
        with alt.no_grad():
            self.x -= step * 0.5
        self.model_values = self.model_values - step * 0.5

    @rule()
    def in_place_through_detached_alias(self):
        self.x.detach().mul_(-1)
        self.model_values = -self.model_values

    @rule()
    def in_place_on_leaf_outside_no_grad_is_refused(self):
        version = self.x._version
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            self.x.add_(1)
        assert self.x._version == version

    @rule()
    def drop_oldest_graph(self):
        if self.graphs:
            self.graphs.pop(0)

    # -- what must always hold -----------------------------------------------------------------

    @invariant()
    def grad_matches_the_model(self):
        if self.model_grad is None:
            assert self.x.grad is None
        else:
            np.testing.assert_allclose(self.x.grad.numpy(), self.model_grad)

    @invariant()
    def values_match_the_model(self):
        np.testing.assert_allclose(self.x.detach().numpy(), self.model_values)
        assert self.x.is_leaf and self.x.requires_grad and alt.is_grad_enabled()


GradMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=25,
                                         deadline=None)
test_backward_zero_retain_detach_no_grad_and_in_place_interleaved = GradMachine.TestCase
