"""Lesson 08: the backward of two custom Functions (forward as given in the lesson)."""

import autograd_lab as alt


class Sigmoid(alt.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = 1 / (1 + (-x).exp())
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y * (1 - y)


class Tanh(alt.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        e_plus, e_minus = x.exp(), (-x).exp()
        y = (e_plus - e_minus) / (e_plus + e_minus)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (1 - y * y)
