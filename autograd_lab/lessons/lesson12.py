"""Lesson 12 (under the hood): `Value`, a scalar for a tiny engine, and the checkers for it.

The learner writes the two halves of a backward pass for `Value` graphs: a topological order
(without recursion) and the reverse sweep that applies the chain rule. The checkers build
random graphs, run the same computation with autograd_lab, and compare every gradient.
"""

import math

import numpy as np

import autograd_lab
from autograd_lab.lessons.checking import Exercise, Lesson, call, not_attempted, passed
from autograd_lab.lessons.solutions import lesson12 as solutions


class Value:
    """A number that remembers how it was made.

    `parents` holds one `(parent, local_derivative)` pair per input of the operation that made
    this Value: the derivative of this Value with respect to that parent, computed in forward.
    The chain rule then needs only one line: `parent.grad += local_derivative * self.grad`.

    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = a * b + a
    >>> c
    Value(data=-4, grad=0)
    >>> [(p.data, d) for p, d in c.parents]
    [(-6.0, 1.0), (2.0, 1.0)]
    """

    def __init__(self, data, parents=()):
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents

    def __add__(self, other):
        other = _as_value(other)
        return Value(self.data + other.data, ((self, 1.0), (other, 1.0)))

    def __mul__(self, other):
        other = _as_value(other)
        return Value(self.data * other.data, ((self, other.data), (other, self.data)))

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-_as_value(other))

    __radd__ = __add__
    __rmul__ = __mul__

    def relu(self):
        return Value(max(self.data, 0.0), ((self, 1.0 if self.data > 0 else 0.0),))

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, ((self, 1.0 - t * t),))

    def __repr__(self):
        return f"Value(data={self.data:.4g}, grad={self.grad:.4g})"


def _as_value(x):
    return x if isinstance(x, Value) else Value(x)


# -- the checkers ---------------------------------------------------------------------------

LESSON = Lesson("lesson12", [
    Exercise("topological_order", solution=solutions.topological_order,
             nudge="every Value once, each after all of its parents; the checker's chain is "
                   "5000 operations deep and Python stops near 1000 nested calls, so use a "
                   "loop and a list as a stack instead of recursion",
             stronger_hint="push (root, False) on a stack. Pop an item: if its flag is True, its "
                           "parents are done and it joins the order; otherwise, if it was not "
                           "seen yet, mark it seen, push it back with True, then push each of "
                           "its parents with False"),
    Exercise("backward", solution=solutions.backward,
             nudge="the root's gradient with respect to itself is 1; then visit the values from "
                   "the root towards the leaves, applying the chain rule at each; a value used "
                   "twice receives two contributions",
             stronger_hint="your topological order, reversed, visits each value after every "
                           "value that uses it; for each (parent, local_derivative) pair of a "
                           "value, add local_derivative times the value's grad to the parent's "
                           "grad, with += rather than ="),
])
hint = LESSON.hint
show_solution = LESSON.show_solution


def check_topological_order(topological_order):
    """Check `topological_order(root)`: every Value once, each after all of its parents."""
    exercise = LESSON["topological_order"]
    if not_attempted(exercise.name, topological_order):
        return None
    for label, (root, _, _) in _test_graphs():
        order = call(exercise, topological_order, (root,), input=label)
        problem = _order_problem(root, order)
        if problem:
            raise exercise.wrong(problem, input=label)
    return passed(exercise.name)


def check_backward(backward):
    """Check `backward(root)` against autograd_lab on random graphs, a diamond and a deep chain."""
    exercise = LESSON["backward"]
    if not_attempted(exercise.name, backward):
        return None
    for label, (root, values, tensors) in _test_graphs():
        call(exercise, backward, (root,), input=label)
        if root.grad != 1.0:
            raise exercise.wrong("the root's own gradient is not 1", input=label, expected=1.0,
                                 received=root.grad)
        tensors[-1].backward()
        for index, (value, tensor) in enumerate(zip(values, tensors)):
            expected = 0.0 if tensor.grad is None else tensor.grad.item()
            if not math.isclose(value.grad, expected, rel_tol=1e-6, abs_tol=1e-9):
                raise exercise.wrong(
                    f"the gradient of value number {index} ({_describe(value)}) is wrong",
                    input=label, expected=expected, received=value.grad)
    return passed(f"{exercise.name} (agrees with autograd_lab)")


def _order_problem(root, order):
    """What is wrong with `order` as a topological order of root's graph (None if nothing)."""
    if not isinstance(order, (list, tuple)):
        return f"expected a list of Values, received {type(order).__name__}"
    graph = _all_values(root)
    positions = {}
    for position, value in enumerate(order):
        if id(value) in positions:
            return f"{_describe(value)} appears twice"
        positions[id(value)] = position
    missing = [v for v in graph if id(v) not in positions]
    if missing:
        return f"{len(missing)} of the {len(graph)} values are missing, e.g. {missing[0]!r}"
    if len(order) != len(graph):
        return f"the order has {len(order)} items but the graph has {len(graph)} values"
    for value in graph:
        for parent, _ in value.parents:
            if positions[id(parent)] > positions[id(value)]:
                return (f"{_describe(value)} comes before its parent, {_describe(parent)}; "
                        "every value must come after the values it was made from")
    return None


def _all_values(root):
    seen, stack = {id(root): root}, [root]
    while stack:
        for parent, _ in stack.pop().parents:
            if id(parent) not in seen:
                seen[id(parent)] = parent
                stack.append(parent)
    return list(seen.values())


def _describe(value):
    if not value.parents:
        return f"the leaf with data {value.data:.4g}"
    return f"the result {value.data:.4g} of an operation"


def _test_graphs():
    """Fresh graphs, each built twice: with Values and with autograd_lab float64 tensors."""
    yield "a value used twice (a diamond)", _diamond()
    for seed in range(5):
        yield f"random graph number {seed}", _random_graph(seed)
    yield "a chain 5000 operations deep", _chain(5000)


def _leaf(number):
    return Value(number), autograd_lab.tensor(number, dtype=autograd_lab.float64,
                                               requires_grad=True)


def _kept(values, tensors, value, tensor):
    """Record a new node in both graphs; non-leaf tensors keep their .grad for comparison."""
    tensor.retain_grad()
    values.append(value)
    tensors.append(tensor)


def _diamond():
    a, ta = _leaf(1.5)
    values, tensors = [a], [ta]
    b, tb = a * a, ta * ta
    _kept(values, tensors, b, tb)
    _kept(values, tensors, b + a * 3.0, tb + ta * 3.0)
    _kept(values, tensors, values[-1] * b, tensors[-1] * tb)
    return values[-1], values, tensors


def _chain(depth):
    x, tx = _leaf(0.5)
    values, tensors = [x], [tx]
    value, tensor = x, tx
    for _ in range(depth):
        value, tensor = value * 1.0001 + 0.001, tensor * 1.0001 + 0.001
    _kept(values, tensors, value, tensor)
    return value, values, tensors


def _random_graph(seed, leaves=4, operations=14):
    rng = np.random.default_rng(seed)
    values, tensors = [], []
    for number in rng.uniform(-1.5, 1.5, size=leaves).round(2):
        value, tensor = _leaf(float(number))
        values.append(value)
        tensors.append(tensor)
    for _ in range(operations):
        i, j = (int(k) for k in rng.integers(0, len(values), size=2))
        (a, b), (ta, tb) = (values[i], values[j]), (tensors[i], tensors[j])
        kind = rng.choice(["add", "mul", "sub", "relu", "tanh"])
        if kind == "add":
            _kept(values, tensors, a + b, ta + tb)
        elif kind == "mul":
            _kept(values, tensors, a * b, ta * tb)
        elif kind == "sub":
            _kept(values, tensors, a - b, ta - tb)
        elif kind == "relu":
            _kept(values, tensors, a.relu(), ta.relu())
        else:
            _kept(values, tensors, a.tanh(), 1 - 2 / ((2 * ta).exp() + 1))
    last_three = values[-3] + values[-2] + values[-1]
    _kept(values, tensors, last_three, tensors[-3] + tensors[-2] + tensors[-1])
    return last_three, values, tensors
