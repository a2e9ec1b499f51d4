"""PyTorch's classic "learning by examples" programs run unchanged with `autograd_lab as torch`.

Each program below is written once, for a module called `torch`, in the shapes of the
well-known tutorial: a two-layer ReLU net fit to random data (N=64, D_out=10 as there, with
D_in=100 and H=50 instead of 1000 and 100 to keep the suite fast, and learning rates scaled to
match) with raw tensors and a hand-written backward, with autograd, with a custom autograd.Function,
with nn.Sequential and manual updates, with optim.Adam, with a custom nn.Module, and with a
dynamic net that reuses one layer a random number of times. Each runs with autograd_lab passed
as `torch` and must drive the loss below 1/100 of its first value in 500 steps; where PyTorch is
installed, the very same function runs with the real torch too, as a check on the program.
"""

import importlib.util
import random

import pytest

import autograd_lab

HAS_TORCH = importlib.util.find_spec("torch") is not None
N, D_in, H, D_out = 64, 100, 50, 10  # the tutorial's D_in=1000, H=100 made lighter
STEPS = 500


def raw_tensors(torch):
    dtype = torch.float
    device = torch.device("cpu")
    x = torch.randn(N, D_in, device=device, dtype=dtype)
    y = torch.randn(N, D_out, device=device, dtype=dtype)
    w1 = torch.randn(D_in, H, device=device, dtype=dtype)
    w2 = torch.randn(H, D_out, device=device, dtype=dtype)
    learning_rate = 1e-5
    losses = []
    for t in range(STEPS):
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
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
    return losses


def with_autograd(torch):
    x = torch.randn(N, D_in)
    y = torch.randn(N, D_out)
    w1 = torch.randn(D_in, H, requires_grad=True)
    w2 = torch.randn(H, D_out, requires_grad=True)
    learning_rate = 1e-5
    losses = []
    for t in range(STEPS):
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    return losses


def with_custom_function(torch):
    class MyReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    x = torch.randn(N, D_in)
    y = torch.randn(N, D_out)
    w1 = torch.randn(D_in, H, requires_grad=True)
    w2 = torch.randn(H, D_out, requires_grad=True)
    learning_rate = 1e-5
    losses = []
    for t in range(STEPS):
        relu = MyReLU.apply
        y_pred = relu(x.mm(w1)).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    return losses


def with_nn_sequential(torch):
    x = torch.randn(N, D_in)
    y = torch.randn(N, D_out)
    model = torch.nn.Sequential(
        torch.nn.Linear(D_in, H),
        torch.nn.ReLU(),
        torch.nn.Linear(H, D_out),
    )
    loss_fn = torch.nn.MSELoss(reduction="sum")
    learning_rate = 5e-4
    losses = []
    for t in range(STEPS):
        y_pred = model(x)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        for param in model.parameters():
            param.data -= learning_rate * param.grad.data
    return losses


def with_optim_adam(torch):
    x = torch.randn(N, D_in)
    y = torch.randn(N, D_out)
    model = torch.nn.Sequential(
        torch.nn.Linear(D_in, H),
        torch.nn.ReLU(),
        torch.nn.Linear(H, D_out),
    )
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for t in range(STEPS):
        y_pred = model(x)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def with_custom_module(torch):
    class TwoLayerNet(torch.nn.Module):
        def __init__(self, D_in, H, D_out):
            super().__init__()
            self.linear1 = torch.nn.Linear(D_in, H)
            self.linear2 = torch.nn.Linear(H, D_out)

        def forward(self, x):
            h_relu = self.linear1(x).clamp(min=0)
            y_pred = self.linear2(h_relu)
            return y_pred

    x = torch.randn(N, D_in)
    y = torch.randn(N, D_out)
    model = TwoLayerNet(D_in, H, D_out)
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=5e-4)
    losses = []
    for t in range(STEPS):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def with_dynamic_net(torch):
    class DynamicNet(torch.nn.Module):
        def __init__(self, D_in, H, D_out):
            super().__init__()
            self.input_linear = torch.nn.Linear(D_in, H)
            self.middle_linear = torch.nn.Linear(H, H)
            self.output_linear = torch.nn.Linear(H, D_out)

        def forward(self, x):
            h_relu = self.input_linear(x).clamp(min=0)
            for _ in range(random.randint(0, 3)):
                h_relu = self.middle_linear(h_relu).clamp(min=0)
            y_pred = self.output_linear(h_relu)
            return y_pred

    x = torch.randn(N, D_in)
    y = torch.randn(N, D_out)
    model = DynamicNet(D_in, H, D_out)
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=3e-4, momentum=0.9)
    losses = []
    for t in range(STEPS):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


PROGRAMS = [raw_tensors, with_autograd, with_custom_function, with_nn_sequential,
            with_optim_adam, with_custom_module, with_dynamic_net]


def _run(program, torch, seed=0):
    torch.manual_seed(seed)
    random.seed(seed)
    return program(torch)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_classic_program_trains_with_autograd_lab_as_torch(program):
    losses = _run(program, autograd_lab)
    assert len(losses) == STEPS
    assert all(loss == loss for loss in losses), "a loss became NaN"
    assert losses[-1] < 1e-2 * losses[0], (losses[0], losses[-1])


@pytest.mark.torch_reference
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")
@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_classic_program_trains_the_same_way_with_pytorch(program):
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small matrices: threads only cost time on a busy machine
    try:
        ours, theirs = _run(program, autograd_lab), _run(program, torch)
    finally:
        torch.set_num_threads(threads)
    assert theirs[-1] < 1e-2 * theirs[0]
    # different random data, same distribution: the losses start out of the same size
    assert 0.1 < ours[0] / theirs[0] < 10
