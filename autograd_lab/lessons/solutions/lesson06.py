"""Lesson 06: an update step outside the graph, and an untracked copy."""

import autograd_lab as alt


def sgd_step(w, lr):
    with alt.no_grad():
        w -= lr * w.grad  # in place: w stays the same leaf
    w.grad.zero_()


def frozen_copy(t):
    return t.detach().clone()
