"""A Hypothesis state machine interleaves backward, zero_(), retain_graph, detach, no_grad and
in-place updates, and checks `.grad` after every step against a simple model of what PyTorch
would hold (and which calls it would refuse)."""

import warnings

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


GradMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=25, derandomize=True,
                                         deadline=None)
test_backward_zero_retain_detach_no_grad_and_in_place_interleaved = GradMachine.TestCase


try:
    import torch
except ImportError:  # the mirror below needs PyTorch as its oracle
    torch = None


def _same(ours, theirs):
    if theirs is None:
        assert ours is None
    else:
        assert ours is not None
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)


class PyTorchMirror(RuleBasedStateMachine):
    """Every step runs on autograd_lab and on PyTorch: both fail alike or agree on every value."""

    @initialize(seed=st.integers(0, 2**16),
                shapes=st.lists(st.sampled_from([(3,), (2, 3), (2, 1), ()]), min_size=2,
                                max_size=2))
    def make_leaves(self, seed, shapes):
        rng = np.random.default_rng(seed)
        values = [rng.standard_normal(shape) for shape in shapes]  # they broadcast together
        self.leaves = [(alt.tensor(v, dtype=alt.float64, requires_grad=True),
                        torch.tensor(v, dtype=torch.float64, requires_grad=True)) for v in values]
        self.pool = list(self.leaves)
        self.roots = []

    def _both(self, action):
        """Run `action(side)` for autograd_lab (0) and PyTorch (1); they must fail alike.

        A backward that fails half-way may already have added to some leaves' `.grad` in
        PyTorch; autograd_lab promises to leave `.grad` as it was, so PyTorch's leaves are
        put back before the two are compared.
        """
        before = [None if t.grad is None else t.grad.clone() for _, t in self.leaves]
        outcome = []
        for side in (0, 1):
            try:
                outcome.append(("ok", action(side)))
            except RuntimeError as error:
                outcome.append(("error", type(error)))
        assert outcome[0][0] == outcome[1][0], outcome
        if outcome[1][0] == "error":
            for (_, theirs), grad in zip(self.leaves, before):
                theirs.grad = grad
        return outcome

    # ops whose backward keeps its inputs (not its output) in both libraries, and no views:
    # in-place changes then break the same graphs on both sides
    OPS = {"add": lambda p, q: p + q, "sub": lambda p, q: p - q, "mul": lambda p, q: p * q,
           "square": lambda p, q: p * p, "scale": lambda p, q: p * 0.5 + 1.0,
           "div": lambda p, q: p / (q * q + 1.0), "cube": lambda p, q: p ** 3,
           "clamp": lambda p, q: p.clamp(min=-0.3, max=0.8), "abs": lambda p, q: p.abs(),
           "neg": lambda p, q: -p, "times_mean": lambda p, q: p * q.mean()}

    @rule(op=st.sampled_from(sorted(OPS)), i=st.integers(0, 99), j=st.integers(0, 99))
    def compute(self, op, i, j):
        a, b = self.pool[i % len(self.pool)], self.pool[j % len(self.pool)]
        make = self.OPS[op]
        self.pool.append((make(a[0], b[0]), make(a[1], b[1])))
        del self.pool[2:-6]  # keep the leaves and the six newest values

    @rule(i=st.integers(0, 99), j=st.integers(0, 99))
    def compute_under_no_grad(self, i, j):
        a, b = self.pool[i % len(self.pool)], self.pool[j % len(self.pool)]
        with alt.no_grad():
            ours = a[0] * b[0]
        with torch.no_grad():
            theirs = a[1] * b[1]
        self.pool.append((ours, theirs))
        del self.pool[2:-6]

    @rule(i=st.integers(0, 99))
    def detach(self, i):
        a = self.pool[i % len(self.pool)]
        self.pool.append((a[0].detach(), a[1].detach()))
        del self.pool[2:-6]

    @rule(i=st.integers(0, 99))
    def retain_grad(self, i):
        a = self.pool[i % len(self.pool)]
        self._both(lambda side: a[side].retain_grad())

    @rule(i=st.integers(0, 99))
    def hook_that_doubles_the_gradient(self, i):
        a = self.pool[i % len(self.pool)]
        self._both(lambda side: a[side].register_hook(lambda grad: grad * 2))

    @rule(i=st.integers(0, 1))
    def make_root_from_a_grad(self, i):
        ours, theirs = self.leaves[i]
        if ours.grad is not None and ours.grad.requires_grad:
            self.roots = (self.roots + [((ours.grad * ours).sum(),
                                         (theirs.grad * theirs).sum())])[-3:]

    @rule(i=st.integers(0, 99))
    def make_root(self, i):
        a = self.pool[i % len(self.pool)]
        self.roots = (self.roots + [(a[0].sum(), a[1].sum())])[-3:]

    @precondition(lambda self: self.roots)
    @rule(k=st.integers(0, 99), retain=st.booleans(), create=st.booleans())
    def backward(self, k, retain, create):
        root = self.roots[k % len(self.roots)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch warns that create_graph makes a cycle
            self._both(lambda side: root[side].backward(retain_graph=retain or None,
                                                        create_graph=create))

    @precondition(lambda self: self.roots)
    @rule(k=st.integers(0, 99))
    def autograd_grad(self, k):
        root = self.roots[k % len(self.roots)]
        results = self._both(lambda side: torch.autograd.grad(
            root[side], [leaf[side] for leaf in self.leaves], retain_graph=True,
            allow_unused=True) if side else alt.autograd.grad(
            root[side], [leaf[side] for leaf in self.leaves], retain_graph=True,
            allow_unused=True))
        if results[0][0] == "ok":
            for ours, theirs in zip(results[0][1], results[1][1]):
                _same(ours, theirs)

    @precondition(lambda self: self.roots)
    @rule(k=st.integers(0, 99), i=st.integers(0, 1))
    def backward_into_one_leaf(self, k, i):
        # (leaves only: for a non-leaf in `inputs`, PyTorch also runs that tensor's own node)
        root, a = self.roots[k % len(self.roots)], self.leaves[i]
        self._both(lambda side: root[side].backward(inputs=[a[side]], retain_graph=True))

    @precondition(lambda self: self.roots)
    @rule(k=st.integers(0, 99), i=st.integers(0, 99))
    def autograd_grad_of_any_value(self, k, i):
        root, a = self.roots[k % len(self.roots)], self.pool[i % len(self.pool)]
        grad_of = {0: alt.autograd.grad, 1: torch.autograd.grad}
        results = self._both(lambda side: grad_of[side](root[side], a[side], retain_graph=True,
                                                        allow_unused=True))
        if results[0][0] == "ok":
            _same(results[0][1][0], results[1][1][0])

    @precondition(lambda self: len(self.roots) > 1)
    @rule()
    def backward_of_two_roots_at_once(self):
        (a, b) = self.roots[-2:]
        backward_of = {0: alt.autograd.backward, 1: torch.autograd.backward}
        self._both(lambda side: backward_of[side]([a[side], b[side]], retain_graph=True))

    @rule(i=st.integers(0, 1), flag=st.booleans())
    def switch_requires_grad_of_a_leaf(self, i, flag):
        for side in (0, 1):
            self.leaves[i][side].requires_grad_(flag)

    @rule(i=st.integers(0, 1))
    def zero_grad(self, i):
        for side in (0, 1):
            if self.leaves[i][side].grad is not None:
                self.leaves[i][side].grad.zero_()

    @rule(i=st.integers(0, 1))
    def grad_to_none(self, i):
        for side in (0, 1):
            self.leaves[i][side].grad = None

    @rule(i=st.integers(0, 1), step=st.sampled_from([-0.5, 0.25, 1.0]))
    def update_leaf_under_no_grad(self, i, step):
        with alt.no_grad():
            self.leaves[i][0].sub_(step)
        with torch.no_grad():
            self.leaves[i][1].sub_(step)

    @rule(i=st.integers(0, 99))
    def add_in_place(self, i):
        a = self.pool[i % len(self.pool)]
        self._both(lambda side: a[side].add_(1.0))

    @rule(i=st.integers(0, 99))
    def change_through_detached_alias(self, i):
        a = self.pool[i % len(self.pool)]
        a[0].detach().mul_(2.0)
        a[1].detach().mul_(2.0)

    @invariant()
    def same_grads_and_values(self):
        if not hasattr(self, "pool"):
            return
        for ours, theirs in self.leaves:
            _same(ours.grad, theirs.grad)
        for ours, theirs in self.pool:
            _same(ours, theirs)
            assert ours.requires_grad == theirs.requires_grad and ours.is_leaf == theirs.is_leaf
            assert ours.retains_grad == theirs.retains_grad
            if theirs.retains_grad:
                _same(ours.grad, theirs.grad)


PyTorchMirror.TestCase.settings = settings(max_examples=200, stateful_step_count=30,
                                           derandomize=True,
                                           deadline=None)
test_random_sessions_match_pytorch = pytest.mark.skipif(
    torch is None, reason="PyTorch is not installed")(PyTorchMirror.TestCase)
