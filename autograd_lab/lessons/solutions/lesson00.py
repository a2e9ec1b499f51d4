"""Lesson 00: the update step."""


def update_step(w, grad, lr):
    return w - lr * grad
