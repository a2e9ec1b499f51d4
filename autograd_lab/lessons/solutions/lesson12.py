"""Lesson 12: the two halves of a tiny engine's backward pass."""


def topological_order(root):
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        value, parents_done = stack.pop()
        if parents_done:
            order.append(value)
        elif value not in seen:
            seen.add(value)
            stack.append((value, True))
            stack.extend((parent, False) for parent, _ in value.parents)
    return order


def backward(root):
    root.grad = 1.0
    for value in reversed(topological_order(root)):
        for parent, local_derivative in value.parents:
            parent.grad += local_derivative * value.grad
