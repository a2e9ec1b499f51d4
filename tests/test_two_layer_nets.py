"""The lessons' two-layer ReLU net (N=64, D_in=1000, H=100, D_out=10, lr 1e-6, 500 steps),
written by hand in numpy, by hand with tensors, and with autograd: each drives the loss down
by more than 10⁴, and autograd's gradients equal the hand-derived ones (and PyTorch's)."""

import importlib.util

import numpy as np
import pytest

import autograd_lab as alt

needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="PyTorch is not installed")

N, D_IN, H, D_OUT = 64, 1000, 100, 10
LEARNING_RATE, STEPS = 1e-6, 500


def make_data(dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(dtype)
            for shape in ((N, D_IN), (N, D_OUT), (D_IN, H), (H, D_OUT))]


def hand_gradients_numpy(x, y, w1, w2):
    """Forward and the chain rule by hand: loss = sum((relu(x w1) w2 - y)²)."""
    h = x @ w1
    h_relu = np.maximum(h, 0)
    y_pred = h_relu @ w2
    loss = np.square(y_pred - y).sum()
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.T @ grad_y_pred
    grad_h = grad_y_pred @ w2.T
    grad_h[h < 0] = 0
    grad_w1 = x.T @ grad_h
    return loss, grad_w1, grad_w2


def test_hand_written_numpy_net_reduces_the_loss_ten_thousandfold():
    x, y, w1, w2 = make_data()
    losses = []
    for _ in range(STEPS):
        loss, grad_w1, grad_w2 = hand_gradients_numpy(x, y, w1, w2)
        losses.append(loss)
        w1 -= LEARNING_RATE * grad_w1
        w2 -= LEARNING_RATE * grad_w2
    assert losses[-1] < losses[0] / 1e4


def test_hand_written_tensor_net_reduces_the_loss_ten_thousandfold():
    x, y, w1, w2 = (alt.from_numpy(a) for a in make_data())
    losses = []
    for _ in range(STEPS):
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)
        loss = (y_pred - y).pow(2).sum().item()
        losses.append(loss)
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.t().mm(grad_y_pred)
        grad_h_relu = grad_y_pred.mm(w2.t())
        grad_h = grad_h_relu.clone()
        grad_h[h < 0] = 0
        grad_w1 = x.t().mm(grad_h)
        w1 -= LEARNING_RATE * grad_w1
        w2 -= LEARNING_RATE * grad_w2
    assert losses[-1] < losses[0] / 1e4


def test_autograd_net_reduces_the_loss_ten_thousandfold():
    data = make_data()
    x, y = alt.from_numpy(data[0]), alt.from_numpy(data[1])
    w1 = alt.from_numpy(data[2]).requires_grad_()
    w2 = alt.from_numpy(data[3]).requires_grad_()
    losses = []
    for _ in range(STEPS):
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with alt.no_grad():
            w1 -= LEARNING_RATE * w1.grad
            w2 -= LEARNING_RATE * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    assert losses[-1] < losses[0] / 1e4
    assert all(b <= a for a, b in zip(losses[100:], losses[101:]))  # steady descent


def test_autograd_gradients_equal_the_hand_derived_ones():
    x, y, w1, w2 = make_data(np.float64)
    loss, grad_w1, grad_w2 = hand_gradients_numpy(x, y, w1.copy(), w2.copy())
    tw1, tw2 = alt.tensor(w1, requires_grad=True), alt.tensor(w2, requires_grad=True)
    out = (alt.tensor(x).mm(tw1).relu().mm(tw2) - alt.tensor(y)).pow(2).sum()
    out.backward()
    assert out.item() == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(tw1.grad.numpy(), grad_w1, rtol=1e-10, atol=1e-8)
    np.testing.assert_allclose(tw2.grad.numpy(), grad_w2, rtol=1e-10, atol=1e-8)


@needs_torch
def test_autograd_gradients_and_training_match_pytorch():
    import torch

    def train(lib, steps=5):
        x, y, w1, w2 = make_data(np.float64)
        x, y = lib.tensor(x), lib.tensor(y)
        w1, w2 = lib.tensor(w1, requires_grad=True), lib.tensor(w2, requires_grad=True)
        history = []
        for _ in range(steps):
            loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
            loss.backward()
            history.append((loss.item(), w1.grad.numpy().copy(), w2.grad.numpy().copy()))
            with lib.no_grad():
                w1 -= LEARNING_RATE * w1.grad
                w2 -= LEARNING_RATE * w2.grad
                w1.grad.zero_()
                w2.grad.zero_()
        return history

    for (ours_loss, ours_g1, ours_g2), (loss, g1, g2) in zip(train(alt), train(torch)):
        assert ours_loss == pytest.approx(loss, rel=1e-6)
        np.testing.assert_allclose(ours_g1, g1, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(ours_g2, g2, rtol=1e-6, atol=1e-6)
