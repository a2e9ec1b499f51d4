"""Every exercise checker, fed its stub, its solution, other right answers and typical wrong ones.

A wrong answer must get one short block that says what is wrong, with no traceback and nothing
of the solution in it; the hints must leave the solution for the learner to write; the solution
shows only when asked for.
"""

import ast
import inspect
import json
import subprocess
import sys
import textwrap
import traceback
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import autograd_lab as alt
from autograd_lab.lessons import (
    lesson00,
    lesson01,
    lesson02,
    lesson03,
    lesson04,
    lesson05,
    lesson06,
    lesson07,
    lesson08,
    lesson09,
    lesson10,
    lesson11,
    lesson12,
)
from autograd_lab.lessons.checking import ExerciseError

LESSONS = [lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07,
           lesson08, lesson09, lesson10, lesson11, lesson12]
REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def hints_start_from_the_nudge():
    for lesson in LESSONS:
        lesson.LESSON.forget_hints()


@dataclass
class Answers:
    """What the tests feed one checker.

    `wrong` pairs each wrong answer with a piece of the message that must name its mistake;
    `given` is code from the exercise's own text, which a hint may repeat.
    """

    lesson: object
    name: str
    checker: object
    stub: object
    right: list
    wrong: list
    given: tuple = ()


def stub(*args):
    ...


# -- lesson 00 ------------------------------------------------------------------------------

def update_step_scaled_first(w, grad, lr):
    return w - grad * lr


def update_step_uphill(w, grad, lr):
    return w + lr * grad


def update_step_without_lr(w, grad, lr):
    return w - grad


def update_step_without_return(w, grad, lr):
    w - lr * grad


def update_step_through_numpy(w, grad, lr):
    return np.asarray(w) - lr * np.asarray(grad)


# -- lesson 01 ------------------------------------------------------------------------------

def loss_grad_expanded(y_pred, y):
    return 2 * y_pred - 2 * y


def loss_grad_without_two(y_pred, y):
    return y_pred - y


def loss_grad_wrong_sign(y_pred, y):
    return 2 * (y - y_pred)


def loss_grad_summed(y_pred, y):
    return (2 * (y_pred - y)).sum()


def matmul_backward_with_dot(x, w, grad_y):
    return [grad_y.dot(w.T), x.T.dot(grad_y)]


def matmul_backward_transposed_grad_w(x, w, grad_y):
    return grad_y @ w.T, grad_y.T @ x


def matmul_backward_swapped(x, w, grad_y):
    return x.T @ grad_y, grad_y @ w.T


def matmul_backward_grad_x_only(x, w, grad_y):
    return grad_y @ w.T


def matmul_backward_without_transpose(x, w, grad_y):
    return grad_y @ w, x.T @ grad_y


def relu_backward_numpy_where(grad_h_relu, h):
    return np.where(h < 0, 0.0, grad_h_relu)


def relu_backward_numpy_in_place(grad_h_relu, h):
    grad_h_relu[h < 0] = 0
    return grad_h_relu


def relu_backward_numpy_unchanged(grad_h_relu, h):
    return grad_h_relu.copy()


def relu_backward_numpy_on_the_gradient(grad_h_relu, h):
    return np.maximum(grad_h_relu, 0)


def relu_backward_numpy_mask_reversed(grad_h_relu, h):
    return grad_h_relu * (h < 0)


# -- lesson 02 ------------------------------------------------------------------------------

def relu_backward_tensor_mask_product(grad_h_relu, h):
    return grad_h_relu * (h >= 0)


def relu_backward_tensor_masked_fill(grad_h_relu, h):
    return grad_h_relu.masked_fill(h < 0, 0.0)


def relu_backward_tensor_in_place(grad_h_relu, h):
    grad_h_relu[h < 0] = 0
    return grad_h_relu


def relu_backward_tensor_np_where(grad_h_relu, h):
    return np.where(h < 0, 0.0, grad_h_relu)


def relu_backward_tensor_clamped_gradient(grad_h_relu, h):
    return grad_h_relu.clamp(min=0)


def two_layer_grads_with_operators(x, y, w1, w2):
    h = x @ w1
    h_relu = h * (h > 0)
    y_pred = h_relu @ w2
    grad_y_pred = 2 * (y_pred - y)
    grad_h = (grad_y_pred @ w2.T) * (h > 0)
    return float((y_pred - y).pow(2).sum().item()), x.T @ grad_h, h_relu.T @ grad_y_pred


def two_layer_grads_loss_as_tensor(x, y, w1, w2):
    loss, grad_w1, grad_w2 = two_layer_grads_with_operators(x, y, w1, w2)
    return alt.tensor(loss), grad_w1, grad_w2


def two_layer_grads_without_relu_mask(x, y, w1, w2):
    h_relu = x.mm(w1).clamp(min=0)
    y_pred = h_relu.mm(w2)
    grad_y_pred = 2.0 * (y_pred - y)
    return ((y_pred - y).pow(2).sum().item(), x.t().mm(grad_y_pred.mm(w2.t())),
            h_relu.t().mm(grad_y_pred))


def two_layer_grads_in_the_wrong_order(x, y, w1, w2):
    loss, grad_w1, grad_w2 = two_layer_grads_with_operators(x, y, w1, w2)
    return loss, grad_w2, grad_w1


def two_layer_grads_without_loss(x, y, w1, w2):
    return two_layer_grads_with_operators(x, y, w1, w2)[1:]


# -- lesson 03 ------------------------------------------------------------------------------

def hand_gradient_expanded(x):
    return (6 * x + 12) / x.numel()


def hand_gradient_by_backward(x):
    x = x.detach().requires_grad_()
    (3 * (x + 2) ** 2).mean().backward()
    return x.grad


def hand_gradient_without_mean(x):
    return 6 * (x + 2)


def hand_gradient_for_four_entries(x):
    return 6 * (x + 2) / 4


def hand_gradient_without_chain_rule(x):
    return 3 * (x + 2) / x.numel()


def derivative_with_autograd_grad(f, x):
    x = x.detach().requires_grad_()
    return alt.autograd.grad(f(x).sum(), x)[0]


def derivative_of_the_values(f, x):
    return f(x)


def derivative_without_sum(f, x):
    x.requires_grad_()
    f(x).backward()
    return x.grad


def derivative_of_the_mean(f, x):
    x = x.detach().requires_grad_()
    f(x).mean().backward()
    return x.grad


def derivative_without_backward(f, x):
    x = x.detach().requires_grad_()
    f(x).sum()
    return x.grad


# -- lesson 04 ------------------------------------------------------------------------------

def jacobian_with_autograd_grad(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    rows = []
    for i in range(y.numel()):
        one_hot = alt.zeros(y.numel())
        one_hot[i] = 1.0
        rows.append(alt.autograd.grad(y, x, one_hot, retain_graph=True)[0])
    return alt.stack(rows)


def jacobian_rows_added_up(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    rows = []
    for i in range(y.numel()):
        one_hot = alt.zeros(y.numel())
        one_hot[i] = 1.0
        y.backward(one_hot, retain_graph=True)
        rows.append(x.grad.clone())
    return alt.stack(rows)


def jacobian_without_retain_graph(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    rows = []
    for i in range(y.numel()):
        one_hot = alt.zeros(y.numel())
        one_hot[i] = 1.0
        y.backward(one_hot)
        rows.append(x.grad.clone())
        x.grad.zero_()
    return alt.stack(rows)


def jacobian_by_columns(f, x):
    return lesson04.solutions.jacobian(f, x).t()


def jacobian_as_a_list(f, x):
    return list(lesson04.solutions.jacobian(f, x))


def second_derivative_by_backward(f, x):
    x = x.detach().requires_grad_()
    f(x).backward(create_graph=True)
    first = x.grad
    x.grad = None
    first.backward()
    return x.grad


def second_derivative_first_only(f, x):
    x = x.detach().requires_grad_()
    f(x).backward()
    return x.grad


def second_derivative_without_create_graph(f, x):
    x = x.detach().requires_grad_()
    (first,) = alt.autograd.grad(f(x), x)
    (second,) = alt.autograd.grad(first, x)
    return second


def second_derivative_without_clearing(f, x):
    x = x.detach().requires_grad_()
    f(x).backward(create_graph=True)
    x.grad.backward()
    return x.grad


# -- lesson 05 ------------------------------------------------------------------------------

def count_nodes_breadth_first(t):
    queue, seen = deque([t.grad_fn]), {t.grad_fn}
    while queue:
        for next_node, _ in queue.popleft().next_functions:
            if next_node is not None and next_node not in seen:
                seen.add(next_node)
                queue.append(next_node)
    return len(seen)


def count_nodes_recursively(t):
    seen = set()

    def visit(node):
        if node is not None and node not in seen:
            seen.add(node)
            for next_node, _ in node.next_functions:
                visit(next_node)

    visit(t.grad_fn)
    return len(seen)


def count_nodes_without_seen(t):
    count, stack = 0, [t.grad_fn]
    while stack:
        node = stack.pop()
        count += 1
        stack.extend(next_node for next_node, _ in node.next_functions if next_node is not None)
    return count


def count_nodes_without_leaves(t):
    return count_nodes_breadth_first(t) - 1


def count_nodes_as_a_list(t):
    return [count_nodes_breadth_first(t)]


def make_graph_swapped(a, b):
    return (b.exp() + b * a).sum()


def make_graph_with_methods(a, b):
    return a.mul(b).add(b.exp()).sum()


def make_graph_wrong_leaf(a, b):
    return (a * b + a.exp()).sum()


def make_graph_mean(a, b):
    return (a * b + b.exp()).mean()


def make_graph_detached(a, b):
    return (a * b + b.exp()).sum().detach()


def make_graph_without_sum(a, b):
    return a * b + b.exp()


# -- lesson 06 ------------------------------------------------------------------------------

def sgd_step_with_sub_(w, lr):
    with alt.no_grad():
        w.sub_(lr * w.grad)
    w.grad = None


def sgd_step_rebinding(w, lr):
    with alt.no_grad():
        w = w - lr * w.grad
    w.grad = None


def sgd_step_outside_no_grad(w, lr):
    w -= lr * w.grad
    w.grad.zero_()


def sgd_step_keeping_the_gradient(w, lr):
    with alt.no_grad():
        w -= lr * w.grad


def sgd_step_uphill(w, lr):
    with alt.no_grad():
        w += lr * w.grad
    w.grad.zero_()


def frozen_copy_clone_then_detach(t):
    return t.clone().detach()


def frozen_copy_detached(t):
    return t.detach()


def frozen_copy_cloned(t):
    return t.clone()


def frozen_copy_as_numpy(t):
    return t.detach().numpy().copy()


# -- lesson 07 ------------------------------------------------------------------------------

def forward_loss(x, y, weights):
    h = x
    for w in weights[:-1]:
        h = h.mm(w).clamp(min=0)
    return (h.mm(weights[-1]) - y).pow(2).sum()


def train_step_with_autograd_grad(x, y, weights, learning_rate):
    loss = forward_loss(x, y, weights)
    grads = alt.autograd.grad(loss, weights)
    with alt.no_grad():
        for w, grad in zip(weights, grads):
            w.sub_(learning_rate * grad)
    return loss.item()


def train_step_without_zeroing(x, y, weights, learning_rate):
    loss = forward_loss(x, y, weights)
    loss.backward()
    with alt.no_grad():
        for w in weights:
            w -= learning_rate * w.grad
    return loss.item()


def train_step_rebinding(x, y, weights, learning_rate):
    loss = forward_loss(x, y, weights)
    loss.backward()
    with alt.no_grad():
        for w in weights:
            w = w - learning_rate * w.grad
    return loss.item()


def train_step_returning_a_tensor(x, y, weights, learning_rate):
    loss = forward_loss(x, y, weights)
    lesson07.solutions.train_step(x, y, weights, learning_rate)
    return loss


def train_step_two_layers_only(x, y, weights, learning_rate):
    return lesson07.solutions.train_step(x, y, [weights[0], weights[-1]], learning_rate)


# -- lesson 08 ------------------------------------------------------------------------------

def activation(forward, backward):
    """A Function whose forward saves its output y and whose backward is `backward(g, y)`."""

    class Activation(alt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = forward(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return backward(grad_output, y)

    return Activation


def sigmoid(x):
    return 1 / (1 + (-x).exp())


def tanh(x):
    return (x.exp() - (-x).exp()) / (x.exp() + (-x).exp())


def activation_stub(forward):
    class Stub(alt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return forward(x)

        @staticmethod
        def backward(ctx, grad_output):
            ...

    return Stub


# -- lesson 09 ------------------------------------------------------------------------------

class TwoLayerNetSequential(alt.nn.Module):
    def __init__(self, D_in, H, D_out):
        super().__init__()
        self.body = alt.nn.Sequential(alt.nn.Linear(D_in, H), alt.nn.ReLU(),
                                      alt.nn.Linear(H, D_out))

    def forward(self, x):
        return self.body(x)


class TwoLayerNetWithoutReLU(lesson09.solutions.TwoLayerNet):
    def forward(self, x):
        return self.linear2(self.linear1(x))


class TwoLayerNetWithWrongSizes(lesson09.solutions.TwoLayerNet):
    def __init__(self, D_in, H, D_out):
        super().__init__(D_in, H, D_out)
        self.linear2 = alt.nn.Linear(D_in, D_out)  # should take the H features of the first


class TwoLayerNetInAList(alt.nn.Module):
    def __init__(self, D_in, H, D_out):
        super().__init__()
        self.layers = [alt.nn.Linear(D_in, H), alt.nn.Linear(H, D_out)]

    def forward(self, x):
        return self.layers[1](self.layers[0](x).clamp(min=0))


class TwoLayerNetDetached(lesson09.solutions.TwoLayerNet):
    def forward(self, x):
        return super().forward(x).detach()


class TwoLayerNetWithoutSuperInit(alt.nn.Module):
    def __init__(self, D_in, H, D_out):
        self.linear1 = alt.nn.Linear(D_in, H)
        self.linear2 = alt.nn.Linear(H, D_out)

    def forward(self, x):
        return self.linear2(self.linear1(x).clamp(min=0))


class TwoLayerNetStub(alt.nn.Module):
    def __init__(self, D_in, H, D_out):
        super().__init__()
        ...

    def forward(self, x):
        ...


# -- lesson 10 ------------------------------------------------------------------------------

def grow_with_item(x, limit):
    while x.sum().item() < limit:
        x = x + x
    return x


def grow_at_or_below(x, limit):
    while x.sum() <= limit:
        x = x * 2
    return x


def grow_once(x, limit):
    if x.sum() < limit:
        x = x * 2
    return x


def grow_in_numpy(x, limit):
    values = x.detach().numpy()
    while values.sum() < limit:
        values = values * 2
    return alt.tensor(values)


def grow_three_times(x, limit):
    return x * 8


# -- lesson 11 ------------------------------------------------------------------------------

def pick_device_as_device(wanted="auto"):
    return alt.device(lesson11.solutions.pick_device(wanted))


def pick_device_always_cpu(wanted="auto"):
    return "cpu"


def pick_device_falling_back_silently(wanted="auto"):
    return "cuda" if alt.cuda.is_available() and wanted != "cpu" else "cpu"


def pick_device_ignoring_the_request(wanted="auto"):
    if wanted == "cuda" and not alt.cuda.is_available():
        raise RuntimeError("no GPU")
    return "cuda" if alt.cuda.is_available() else "cpu"


def pick_device_raising_value_error(wanted="auto"):
    if wanted == "cuda" and not alt.cuda.is_available():
        raise ValueError("no GPU")
    return "cpu" if wanted == "cpu" or not alt.cuda.is_available() else "cuda"


# -- lesson 12 ------------------------------------------------------------------------------

def order_by_counting_children(root):
    """Kahn's algorithm: a value is ready once every value made from it is placed."""
    children, stack = {root: []}, [root]
    while stack:
        value = stack.pop()
        for parent, _ in value.parents:
            if parent not in children:
                children[parent] = []
                stack.append(parent)
            if value not in children[parent]:
                children[parent].append(value)
    waiting = {value: len({id(parent) for parent, _ in value.parents}) for value in children}
    ready = [value for value, count in waiting.items() if count == 0]
    order = []
    while ready:
        value = ready.pop()
        order.append(value)
        for child in children[value]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return order


def order_recursive(root):
    order = []

    def visit(value):
        for parent, _ in value.parents:
            visit(parent)
        if value not in order:
            order.append(value)

    visit(root)
    return order


def order_root_first(root):
    return lesson12.solutions.topological_order(root)[::-1]


def order_with_repeats(root):
    order, stack = [], [root]
    while stack:
        value = stack.pop()
        order.append(value)
        stack.extend(parent for parent, _ in value.parents)
    return order[::-1]


def order_without_leaves(root):
    return [value for value in lesson12.solutions.topological_order(root) if value.parents]


def backward_with_own_order(root):
    order = order_by_counting_children(root)
    root.grad = 1.0
    for value in order[::-1]:
        for parent, local_derivative in value.parents:
            parent.grad = parent.grad + local_derivative * value.grad


def backward_overwriting(root):
    root.grad = 1.0
    for value in reversed(lesson12.solutions.topological_order(root)):
        for parent, local in value.parents:
            parent.grad = local * value.grad


def backward_without_seed(root):
    for value in reversed(lesson12.solutions.topological_order(root)):
        for parent, local in value.parents:
            parent.grad += local * value.grad


def backward_in_forward_order(root):
    root.grad = 1.0
    for value in lesson12.solutions.topological_order(root):
        for parent, local in value.parents:
            parent.grad += local * value.grad


def backward_recursive(root):
    order, seen = [], set()

    def visit(value):
        if value not in seen:
            seen.add(value)
            for parent, _ in value.parents:
                visit(parent)
            order.append(value)

    visit(root)
    root.grad = 1.0
    for value in reversed(order):
        for parent, local in value.parents:
            parent.grad += local * value.grad


# -- the catalogue --------------------------------------------------------------------------

CATALOGUE = [
    Answers(lesson00, "update_step", lesson00.check_update_step, stub,
            right=[update_step_scaled_first],
            wrong=[(update_step_uphill, "differs in 3 of 3 entries"),
                   (update_step_without_lr, "most at index (2,) (1.5 instead of 0.6)"),
                   (update_step_without_return, "is None: is a `return` missing"),
                   (update_step_through_numpy, "is a numpy array, not a tensor")]),
    Answers(lesson01, "loss_grad", lesson01.check_loss_grad, stub,
            right=[loss_grad_expanded],
            wrong=[(loss_grad_without_two, "differs in 12 of 12 entries"),
                   (loss_grad_wrong_sign, "differs"),
                   (loss_grad_summed, "is a single number; it should be a numpy array of "
                    "shape (4, 3)")],
            given=("y_pred-y",)),
    Answers(lesson01, "matmul_backward", lesson01.check_matmul_backward, stub,
            right=[matmul_backward_with_dot],
            wrong=[(matmul_backward_transposed_grad_w, "element 1 (grad_w) has shape (2, 3) "
                    "instead of (3, 2): it is the transpose of the expected one"),
                   (matmul_backward_swapped, "element 0 (grad_x) has shape (3, 2) instead of "
                    "(4, 3)"),
                   (matmul_backward_grad_x_only, "is a numpy array; return a tuple of 2 "
                    "(grad_x, grad_w)"),
                   (matmul_backward_without_transpose, "calling it raised ValueError")]),
    Answers(lesson01, "relu_backward", lesson01.check_relu_backward, stub,
            right=[relu_backward_numpy_where],
            wrong=[(relu_backward_numpy_in_place, "changed its input grad_h_relu in place"),
                   (relu_backward_numpy_unchanged, "differs"),
                   (relu_backward_numpy_on_the_gradient, "differs"),
                   (relu_backward_numpy_mask_reversed, "differs")],
            given=("h<0",)),
    Answers(lesson02, "relu_backward", lesson02.check_relu_backward, stub,
            right=[relu_backward_tensor_mask_product, relu_backward_tensor_masked_fill],
            wrong=[(relu_backward_tensor_in_place, "changed its input grad_h_relu in place"),
                   (relu_backward_tensor_np_where, "is a numpy array, not a tensor"),
                   (relu_backward_tensor_clamped_gradient, "differs in")],
            given=("h<0",)),
    Answers(lesson02, "two_layer_grads", lesson02.check_two_layer_grads, stub,
            right=[two_layer_grads_with_operators],
            wrong=[(two_layer_grads_loss_as_tensor, "element 0 (loss) is a tensor; it should "
                    "be a Python number"),
                   (two_layer_grads_without_relu_mask, "element 1 (grad_w1) differs in"),
                   (two_layer_grads_in_the_wrong_order, "element 1 (grad_w1) has shape (6, 3) "
                    "instead of (20, 6)"),
                   (two_layer_grads_without_loss, "has 2 elements; return a tuple of 3 (loss, "
                    "grad_w1, grad_w2)")],
            given=("h.clamp(min=0)",)),
    Answers(lesson03, "hand_gradient", lesson03.check_hand_gradient, stub,
            right=[hand_gradient_expanded],
            wrong=[(hand_gradient_by_backward, "it runs autograd (backward or autograd.grad)"),
                   (hand_gradient_without_mean, "(18 instead of 4.5)"),
                   (hand_gradient_for_four_entries, "differs in 3 of 3 entries"),
                   (hand_gradient_without_chain_rule, "differs")],
            given=("x.numel()",)),
    Answers(lesson03, "derivative", lesson03.check_derivative, stub,
            right=[derivative_with_autograd_grad],
            wrong=[(derivative_of_the_values, "differs"),
                   (derivative_without_sum, "grad can be implicitly created only for scalar "
                    "outputs"),
                   (derivative_of_the_mean, "differs"),
                   (derivative_without_backward, "is None")]),
    Answers(lesson04, "jacobian", lesson04.check_jacobian, stub,
            right=[jacobian_with_autograd_grad],
            wrong=[(jacobian_rows_added_up, "differs"),
                   (jacobian_without_retain_graph, "calling it raised RuntimeError: Trying to "
                    "backward through the graph a second time"),
                   (jacobian_by_columns, "has shape (3, 2) instead of (2, 3): it is the "
                    "transpose"),
                   (jacobian_as_a_list, "is a list; it should be a tensor")]),
    Answers(lesson04, "second_derivative", lesson04.check_second_derivative, stub,
            right=[second_derivative_by_backward],
            wrong=[(second_derivative_first_only, "is 2.47308 instead of 4.1218"),
                   (second_derivative_without_create_graph, "calling it raised RuntimeError"),
                   (second_derivative_without_clearing, "is 24 instead of 12")]),
    Answers(lesson05, "count_nodes", lesson05.check_count_nodes, stub,
            right=[count_nodes_breadth_first],
            wrong=[(count_nodes_recursively, "RecursionError: it called itself more deeply "
                    "than Python allows"),
                   (count_nodes_without_seen, "is 7 instead of 5"),
                   (count_nodes_without_leaves, "is 4 instead of 5"),
                   (count_nodes_as_a_list, "is a list; it should be a Python number")]),
    Answers(lesson05, "make_graph", lesson05.check_graph_code, stub,
            right=[make_graph_swapped, make_graph_with_methods],
            wrong=[(make_graph_wrong_leaf, "missing edge ExpBackward0 -> AccumulateGrad(b)"),
                   (make_graph_mean, "1 node MeanBackward0 instead of 0"),
                   (make_graph_detached, "should return the tensor the last operation makes"),
                   (make_graph_without_sum, "0 nodes SumBackward0 instead of 1")]),
    Answers(lesson06, "sgd_step", lesson06.check_sgd_step, stub,
            right=[sgd_step_with_sub_],
            wrong=[(sgd_step_rebinding, "w did not change"),
                   (sgd_step_outside_no_grad, "a leaf Variable that requires grad is being "
                    "used in an in-place operation"),
                   (sgd_step_keeping_the_gradient, "w.grad still holds the old gradient"),
                   (sgd_step_uphill, "w moved to the wrong place")]),
    Answers(lesson06, "frozen_copy", lesson06.check_frozen_copy, stub,
            right=[frozen_copy_clone_then_detach],
            wrong=[(frozen_copy_detached, "changing the copy changed t: they share memory"),
                   (frozen_copy_cloned, "the copy is still tracked"),
                   (frozen_copy_as_numpy, "the copy should be a tensor")]),
    Answers(lesson07, "train_step", lesson07.check_train_step, stub,
            right=[train_step_with_autograd_grad],
            wrong=[(train_step_without_zeroing, "weights[0].grad was not zeroed"),
                   (train_step_rebinding, "weights[0] after the update is not right"),
                   (train_step_returning_a_tensor, "return the loss as a Python number"),
                   (train_step_two_layers_only, "step 1 of a 3-layer network")],
            given=("h.mm(w).clamp(min=0)",)),
    Answers(lesson08, "Sigmoid.backward", lesson08.check_sigmoid, activation_stub(sigmoid),
            right=[activation(sigmoid, lambda g, y: y * (1 - y) * g),
                   activation(sigmoid, lambda g, y: g * (y - y * y))],
            wrong=[(activation(sigmoid, lambda g, y: y * (1 - y)), "grad_output was [0.5,"),
                   (activation(sigmoid, lambda g, y: g * (1 - y)), "not right yet"),
                   (activation(sigmoid, lambda g, y: g * y * (1 - x)),  # noqa: F821
                    "raised NameError: name 'x' is not defined"),
                   (activation(sigmoid, lambda g, y: (g * y, g)), "raised"),
                   (activation(sigmoid, lambda g, y: None), "backward returned None")]),
    Answers(lesson08, "Tanh.backward", lesson08.check_tanh, activation_stub(tanh),
            right=[activation(tanh, lambda g, y: g - g * y ** 2)],
            wrong=[(activation(tanh, lambda g, y: g * (1 - y)), "not right yet"),
                   (activation(tanh, lambda g, y: 1 - y * y), "not right yet"),
                   (activation(tanh, lambda g, y: g * y * (1 - y)), "not right yet")]),
    Answers(lesson09, "TwoLayerNet", lesson09.check_two_layer_net, TwoLayerNetStub,
            right=[TwoLayerNetSequential],
            wrong=[(TwoLayerNetWithoutReLU, "the output is not relu"),
                   (TwoLayerNetInAList, "expected 4 parameters: first weight (4, 5), first bias "
                    "(4,), second weight (3, 4), second bias (3,); found none"),
                   (TwoLayerNetWithWrongSizes, "the second H to D_out"),
                   (TwoLayerNetDetached, "no gradient reaches"),
                   (TwoLayerNetWithoutSuperInit, "calling it raised")],
            given=("super().__init__()",)),
    Answers(lesson10, "grow", lesson10.check_grow, stub,
            right=[grow_with_item],
            wrong=[(grow_at_or_below, "1 doubling was needed, your result is x doubled 2 "
                    "times"),
                   (grow_once, "3 doublings were needed, your result is x doubled 1 time"),
                   (grow_in_numpy, "does not require grad"),
                   (grow_three_times, "0 doublings were needed")]),
    Answers(lesson11, "pick_device", lesson11.check_pick_device, stub,
            right=[pick_device_as_device],
            wrong=[(pick_device_always_cpu, "pick_device('auto') when a GPU is available"),
                   (pick_device_falling_back_silently, "must raise a RuntimeError"),
                   (pick_device_ignoring_the_request, "pick_device('cpu') when a GPU is "
                    "available"),
                   (pick_device_raising_value_error, "calling it raised ValueError: no GPU")]),
    Answers(lesson12, "topological_order", lesson12.check_topological_order, stub,
            right=[order_by_counting_children],
            wrong=[(order_recursive, "RecursionError"),
                   (order_root_first, "comes before its parent"),
                   (order_with_repeats, "appears twice"),
                   (order_without_leaves, "values are missing")]),
    Answers(lesson12, "backward", lesson12.check_backward, stub,
            right=[backward_with_own_order],
            wrong=[(backward_overwriting, "input:    a value used twice (a diamond)"),
                   (backward_without_seed, "the root's own gradient is not 1"),
                   (backward_in_forward_order, "is wrong"),
                   (backward_recursive, "RecursionError")]),
]

WRONG = [(answers, answer, fragment) for answers in CATALOGUE for answer, fragment in answers.wrong]
RIGHT = [(answers, answer) for answers in CATALOGUE for answer in answers.right]


def catalogue_id(answers):
    return f"{answers.lesson.LESSON.module}.{answers.name}"


def answer_id(entry):
    answers, answer = entry[0], entry[1]
    return f"{catalogue_id(answers)}:{getattr(answer, '__name__', 'answer')}"


def exercise(answers):
    return answers.lesson.LESSON[answers.name]


def squeeze(text):
    return "".join(text.split())


def solution_fragments(answers):
    """The code a hint or a message must not give away: every simple statement of the solution
    and every compound expression in it of 7 characters or more (spaces not counted)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(exercise(answers).solution)))
    kinds = (ast.BinOp, ast.BoolOp, ast.Compare, ast.Assign, ast.AugAssign, ast.Return,
             ast.Expr, ast.Raise)
    fragments = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (node.args or node.keywords) or isinstance(node,
                                                                                    kinds):
            fragments.add(squeeze(ast.unparse(node)))
    return {fragment for fragment in fragments
            if len(fragment) >= 7 and fragment not in answers.given}


def own_code(answer):
    try:
        return squeeze(inspect.getsource(answer))
    except (OSError, TypeError):
        return ""


# -- the tests ------------------------------------------------------------------------------

def test_every_exercise_has_its_answers_in_the_catalogue():
    exercises = {(lesson.LESSON.module, name) for lesson in LESSONS
                 for name in lesson.LESSON.exercises}
    assert {(answers.lesson.LESSON.module, answers.name) for answers in CATALOGUE} == exercises
    assert len(exercises) == 22
    for answers in CATALOGUE:
        assert len(answers.right) >= 1 and len(answers.wrong) >= 3, answers.name


@pytest.mark.parametrize("answers", CATALOGUE, ids=catalogue_id)
def test_stub_prints_not_attempted_as_stored_in_the_notebook(answers, capsys):
    assert answers.checker(answers.stub) is None
    what = "class" if answers.lesson is lesson09 else "function"  # lesson 08 checks a method
    assert capsys.readouterr().out == (f"{answers.name}: not attempted yet (fill in the {what} "
                                       "above, then run this cell again)\n")


@pytest.mark.parametrize("answers", CATALOGUE, ids=catalogue_id)
def test_solution_passes_its_checker(answers, capsys):
    assert answers.checker(exercise(answers).solution) is True
    assert capsys.readouterr().out.startswith(f"✓ {answers.name}")


@pytest.mark.parametrize("entry", RIGHT, ids=answer_id)
def test_a_right_answer_written_another_way_passes(entry, capsys):
    answers, answer = entry
    assert answers.checker(answer) is True
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("entry", WRONG, ids=answer_id)
def test_a_wrong_answer_is_told_in_one_short_block(entry):
    answers, answer, fragment = entry
    with pytest.raises(ExerciseError) as raised:
        answers.checker(answer)
    error = raised.value
    message = str(error)
    assert fragment in message
    lines = message.splitlines()
    assert lines[0].startswith(f"✗ {answers.name}: ")
    assert len(lines) <= 15
    assert error._render_traceback_() == lines  # what a notebook shows: the block, no frames
    assert error.__cause__ is None  # and no chain is printed before the block:
    assert error.__context__ is None or error.__suppress_context__
    assert "Traceback" not in message and "checking.py" not in message
    assert any(line.startswith("hint: ") for line in lines)
    assert f'{answers.lesson.LESSON.module}.show_solution("{answers.name}")' in lines[-1]


@pytest.mark.parametrize("entry", WRONG, ids=answer_id)
def test_no_message_or_traceback_shows_the_solution(entry):
    answers, answer, _ = entry
    with pytest.raises(ExerciseError) as raised:
        answers.checker(answer)
    error = raised.value
    full_traceback = "".join(traceback.format_exception(error))  # what plain Python prints
    assert "solutions" not in full_traceback.replace("solutions.", "")  # no frame in solutions/
    shown = squeeze(str(error)) + squeeze(full_traceback)
    leaked = {fragment for fragment in solution_fragments(answers)
              if fragment in shown and fragment not in own_code(answer)}
    assert not leaked


@pytest.mark.parametrize("answers", CATALOGUE, ids=catalogue_id)
def test_hints_leave_the_solution_to_the_learner(answers):
    nudge, stronger = exercise(answers).hints
    assert nudge and stronger and nudge != stronger
    for hint in (nudge, stronger):
        assert not {fragment for fragment in solution_fragments(answers)
                    if fragment in squeeze(hint)}, hint


@pytest.mark.parametrize("answers", CATALOGUE, ids=catalogue_id)
def test_checker_source_shows_no_solution(answers):
    """`lessonNN.check_x??` in a notebook shows the checker's code, not the answer."""
    source = squeeze(inspect.getsource(answers.checker))
    assert not {fragment for fragment in solution_fragments(answers) if fragment in source}


# -- graded help ----------------------------------------------------------------------------

def test_help_grows_one_step_per_wrong_answer():
    nudge, stronger = lesson01.LESSON["loss_grad"].hints
    with pytest.raises(ExerciseError) as first:
        lesson01.check_loss_grad(loss_grad_without_two)
    assert first.value.hint == nudge
    assert str(first.value).splitlines()[-1] == (
        'more help: lesson01.hint("loss_grad") gives a stronger hint; '
        'lesson01.show_solution("loss_grad") shows an answer')
    for _ in range(2):
        with pytest.raises(ExerciseError) as later:
            lesson01.check_loss_grad(loss_grad_wrong_sign)
        assert later.value.hint == stronger
        assert str(later.value).splitlines()[-1] == (
            'still stuck? lesson01.show_solution("loss_grad") shows an answer')


def test_specific_advice_leaves_the_graded_hints_for_later():
    with pytest.raises(ExerciseError) as raised:
        lesson07.check_train_step(train_step_without_zeroing)
    assert raised.value.hint.startswith("zero each gradient")
    assert str(raised.value).splitlines()[-1].startswith(
        'more help: lesson07.hint("train_step") gives a hint;')


def test_hint_on_request_gives_the_next_hint(capsys):
    nudge, stronger = lesson03.LESSON["derivative"].hints
    lesson03.hint("derivative")
    lesson03.hint("derivative")
    out = capsys.readouterr().out
    assert f"hint for derivative: {nudge}" in out and f"hint for derivative: {stronger}" in out
    with pytest.raises(ExerciseError) as raised:
        lesson03.check_derivative(derivative_of_the_values)
    assert raised.value.hint == stronger


def test_show_solution_prints_the_worked_answer_only_when_asked(capsys):
    lesson01.show_solution("relu_backward")
    out = capsys.readouterr().out
    assert out.startswith("One answer to relu_backward (yours may differ and still be right):")
    assert "def relu_backward(grad_h_relu, h):\n    grad_h = grad_h_relu.copy()" in out


def test_a_lesson_with_one_exercise_needs_no_name(capsys):
    lesson10.show_solution()
    lesson10.hint()
    out = capsys.readouterr().out
    assert "def grow(x, limit):" in out and "hint for grow:" in out


def test_an_unknown_exercise_name_lists_the_known_ones(capsys):
    lesson01.hint("relu")
    assert capsys.readouterr().out == ('lesson01 has no exercise named \'relu\'; its exercises: '
                                       '"loss_grad", "matmul_backward", "relu_backward"\n')


def test_a_lesson_with_several_exercises_asks_for_a_name(capsys):
    lesson01.hint()
    assert capsys.readouterr().out == ('lesson01 has several exercises: name one; its exercises: '
                                       '"loss_grad", "matmul_backward", "relu_backward"\n')


def test_a_class_whose_method_is_a_stub_is_a_stub():
    from autograd_lab.lessons.checking import is_stub

    assert is_stub(TwoLayerNetStub) and is_stub(activation_stub(sigmoid))
    assert not is_stub(TwoLayerNetSequential)


@pytest.mark.parametrize("name", ["checking", "results"])
def test_docstring_examples_run(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"autograd_lab.lessons.{name}"))
    assert result.attempted > 0 and result.failed == 0


# -- what a notebook shows ------------------------------------------------------------------

NOTEBOOK_CELLS = [
    "from autograd_lab.lessons import lesson00, lesson05",
    "def update_step(w, grad, lr):\n    return w + lr * grad",
    "lesson00.check_update_step(update_step)",
    "def count_nodes(t):\n    seen = set()\n    def visit(node):\n        if node is not None "
    "and node not in seen:\n            seen.add(node)\n            for n, _ in "
    "node.next_functions:\n                visit(n)\n    visit(t.grad_fn)\n    return len(seen)",
    "lesson05.check_count_nodes(count_nodes)",
]
RUN_IN_IPYTHON = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
shell = InteractiveShell.instance(colors="nocolor")
shown = []
for cell in json.loads(sys.argv[1]):
    with capture_output() as captured:
        shell.run_cell(cell)
    shown.append(captured.stdout + captured.stderr)
print(json.dumps(shown))
"""


def test_ipython_shows_a_wrong_answer_as_the_block_alone():
    """In IPython (and so in Jupyter) a wrong answer prints its short block and nothing else:
    no frames through the checkers (where lesson 00's reference used to show), and a recursive
    answer's RecursionError in a few lines instead of thousands."""
    completed = subprocess.run(
        [sys.executable, "-c", RUN_IN_IPYTHON, json.dumps(NOTEBOOK_CELLS)], cwd=REPOSITORY,
        capture_output=True, text=True, timeout=120, check=True)
    shown = json.loads(completed.stdout.splitlines()[-1])
    update_step, count_nodes = shown[2], shown[4]
    assert update_step.startswith("✗ update_step: the result differs in 3 of 3 entries")
    assert count_nodes.startswith("✗ count_nodes: RecursionError")
    for output in (update_step, count_nodes):
        assert len(output.strip().splitlines()) <= 15
        assert "Traceback" not in output and "checking.py" not in output
        assert "lr * grad" not in output and "ExerciseError" not in output
