"""Lesson 10: a function whose graph depends on its data."""


def grow(x, limit):
    while x.sum() < limit:
        x = x * 2
    return x
