"""The exercise checkers of lessons 07-12: a right answer passes, a wrong one raises with a hint,
an untouched stub prints "not attempted yet"."""

import json
import math
from pathlib import Path

import pytest
from test_lesson_checkers import activation, sigmoid, tanh

import autograd_lab as alt
from autograd_lab.lessons import lesson07, lesson08, lesson09, lesson10, lesson11, lesson12
from autograd_lab.lessons.checking import ExerciseError


@pytest.fixture(autouse=True)
def hints_start_from_the_nudge():
    """The checkers remember which hint each exercise has shown; every test starts afresh."""
    for lesson in (lesson07, lesson08, lesson09, lesson10, lesson11, lesson12):
        lesson.LESSON.forget_hints()


def assert_not_attempted(capsys, result):
    assert result is None
    assert "not attempted yet" in capsys.readouterr().out


def assert_correct(capsys, result):
    assert result is True
    assert "✓" in capsys.readouterr().out


# -- lesson 07: the training step of any depth ------------------------------------------------

def forward_loss(x, y, weights):
    h = x
    for w in weights[:-1]:
        h = h.mm(w).clamp(min=0)
    return (h.mm(weights[-1]) - y).pow(2).sum()


def train_step_reference(x, y, weights, learning_rate):
    loss = forward_loss(x, y, weights)
    loss.backward()
    with alt.no_grad():
        for w in weights:
            w -= learning_rate * w.grad
            w.grad.zero_()
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


def train_step_two_layers_only(x, y, weights, learning_rate):
    w1, w2 = weights[0], weights[-1]
    loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
    loss.backward()
    with alt.no_grad():
        for w in (w1, w2):
            w -= learning_rate * w.grad
            w.grad.zero_()
    return loss.item()


def train_step_outside_no_grad(x, y, weights, learning_rate):
    loss = forward_loss(x, y, weights)
    loss.backward()
    for w in weights:
        w -= learning_rate * w.grad
    return loss.item()


def train_step_returning_a_tensor(x, y, weights, learning_rate):
    loss = forward_loss(x, y, weights)
    train_step_reference(x, y, weights, learning_rate)
    return loss


def train_step_stub(x, y, weights, learning_rate):
    ...


def test_train_step_checker_accepts_the_reference(capsys):
    assert_correct(capsys, lesson07.check_train_step(train_step_reference))


def test_train_step_checker_rejects_gradients_left_unzeroed():
    with pytest.raises(ExerciseError, match="not zeroed(.|\\n)*hint: zero each gradient"):
        lesson07.check_train_step(train_step_without_zeroing)


def test_train_step_checker_rejects_an_update_that_rebinds_the_name():
    with pytest.raises(ExerciseError, match=r"weights\[0\] after the update is not right"):
        lesson07.check_train_step(train_step_rebinding)


def test_train_step_checker_rejects_a_step_written_for_two_layers_only():
    with pytest.raises(ExerciseError, match="3-layer network"):
        lesson07.check_train_step(train_step_two_layers_only)


def test_train_step_checker_reports_the_in_place_error_outside_no_grad():
    with pytest.raises(ExerciseError, match="leaf Variable that requires grad"):
        lesson07.check_train_step(train_step_outside_no_grad)


def test_train_step_checker_asks_for_a_python_number():
    with pytest.raises(ExerciseError, match="loss.item"):
        lesson07.check_train_step(train_step_returning_a_tensor)


def test_train_step_checker_says_not_attempted_for_the_stub(capsys):
    assert_not_attempted(capsys, lesson07.check_train_step(train_step_stub))


# -- lesson 08: custom Functions -------------------------------------------------------------

class SigmoidStub(alt.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = sigmoid(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        ...


def test_sigmoid_checker_accepts_the_reference_backward(capsys):
    right = activation(sigmoid, lambda g, y: g * y * (1 - y))
    assert_correct(capsys, lesson08.check_sigmoid(right))


def test_sigmoid_checker_rejects_a_backward_that_ignores_grad_output():
    wrong = activation(sigmoid, lambda g, y: y * (1 - y))
    with pytest.raises(ExerciseError, match="hint: .*grad_output"):
        lesson08.check_sigmoid(wrong)


def test_sigmoid_checker_reports_a_backward_that_raises():
    wrong = activation(sigmoid, lambda g, y: g * y * (1 - z))  # noqa: F821
    with pytest.raises(ExerciseError, match="NameError"):
        lesson08.check_sigmoid(wrong)


def test_sigmoid_checker_says_not_attempted_for_the_stub(capsys):
    assert_not_attempted(capsys, lesson08.check_sigmoid(SigmoidStub))


def test_tanh_checker_accepts_the_reference_backward(capsys):
    right = activation(tanh, lambda g, y: g * (1 - y * y))
    assert_correct(capsys, lesson08.check_tanh(right))


def test_tanh_checker_rejects_the_derivative_of_the_wrong_function():
    wrong = activation(tanh, lambda g, y: g * y * (1 - y))
    with pytest.raises(ExerciseError, match="gradient with respect to x is not right"):
        lesson08.check_tanh(wrong)


# -- lesson 09: a Module ----------------------------------------------------------------------

class TwoLayerNetReference(alt.nn.Module):
    def __init__(self, D_in, H, D_out):
        super().__init__()
        self.linear1 = alt.nn.Linear(D_in, H)
        self.linear2 = alt.nn.Linear(H, D_out)

    def forward(self, x):
        return self.linear2(self.linear1(x).clamp(min=0))


class TwoLayerNetWithoutReLU(TwoLayerNetReference):
    def forward(self, x):
        return self.linear2(self.linear1(x))


class TwoLayerNetInAList(alt.nn.Module):
    def __init__(self, D_in, H, D_out):
        super().__init__()
        self.layers = [alt.nn.Linear(D_in, H), alt.nn.Linear(H, D_out)]

    def forward(self, x):
        return self.layers[1](self.layers[0](x).clamp(min=0))


class TwoLayerNetDetached(TwoLayerNetReference):
    def forward(self, x):
        return super().forward(x).detach()


class TwoLayerNetStub(alt.nn.Module):
    def __init__(self, D_in, H, D_out):
        super().__init__()
        ...

    def forward(self, x):
        ...


def test_module_checker_accepts_the_reference(capsys):
    assert_correct(capsys, lesson09.check_two_layer_net(TwoLayerNetReference))


def test_module_checker_accepts_a_sequential_inside_the_module(capsys):
    class WithSequential(alt.nn.Module):
        def __init__(self, D_in, H, D_out):
            super().__init__()
            self.body = alt.nn.Sequential(alt.nn.Linear(D_in, H), alt.nn.ReLU(),
                                          alt.nn.Linear(H, D_out))

        def forward(self, x):
            return self.body(x)

    assert_correct(capsys, lesson09.check_two_layer_net(WithSequential))


def test_module_checker_rejects_a_missing_relu():
    with pytest.raises(ExerciseError, match="output is not relu"):
        lesson09.check_two_layer_net(TwoLayerNetWithoutReLU)


def test_module_checker_rejects_layers_hidden_in_a_plain_list():
    with pytest.raises(ExerciseError, match="expected 4 parameters(.|\\n)*hint: create the two"):
        lesson09.check_two_layer_net(TwoLayerNetInAList)


def test_module_checker_rejects_an_output_cut_off_from_the_parameters():
    with pytest.raises(ExerciseError, match="no gradient reaches"):
        lesson09.check_two_layer_net(TwoLayerNetDetached)


def test_module_checker_says_not_attempted_for_the_stub(capsys):
    assert_not_attempted(capsys, lesson09.check_two_layer_net(TwoLayerNetStub))


# -- lesson 10: a graph that depends on the data ---------------------------------------------

def grow_reference(x, limit):
    while x.sum() < limit:
        x = x * 2
    return x


def grow_once(x, limit):
    if x.sum() < limit:
        x = x * 2
    return x


def grow_detached(x, limit):
    values = x.detach().numpy()
    while values.sum() < limit:
        values = values * 2
    return alt.tensor(values)


def grow_stub(x, limit):
    ...


def test_grow_checker_accepts_a_while_loop(capsys):
    assert_correct(capsys, lesson10.check_grow(grow_reference))


def test_grow_checker_rejects_a_single_if():
    with pytest.raises(ExerciseError, match="doublings were needed"):
        lesson10.check_grow(grow_once)


def test_grow_checker_rejects_a_result_cut_off_from_the_graph():
    with pytest.raises(ExerciseError, match="does not require grad"):
        lesson10.check_grow(grow_detached)


def test_grow_checker_says_not_attempted_for_the_stub(capsys):
    assert_not_attempted(capsys, lesson10.check_grow(grow_stub))


# -- lesson 11: choosing the device ----------------------------------------------------------

def pick_device_reference(wanted="auto"):
    available = alt.cuda.is_available()
    if wanted == "cuda" and not available:
        raise RuntimeError("a GPU was asked for, but none is available")
    if wanted == "cpu" or not available:
        return "cpu"
    return "cuda"


def pick_device_always_cpu(wanted="auto"):
    return "cpu"


def pick_device_falling_back_silently(wanted="auto"):
    return "cuda" if alt.cuda.is_available() and wanted != "cpu" else "cpu"


def pick_device_ignoring_the_request(wanted="auto"):
    if wanted == "cuda" and not alt.cuda.is_available():
        raise RuntimeError("no GPU")
    return "cuda" if alt.cuda.is_available() else "cpu"


def pick_device_stub(wanted="auto"):
    ...


def test_pick_device_checker_accepts_the_reference(capsys):
    assert_correct(capsys, lesson11.check_pick_device(pick_device_reference))


def test_pick_device_checker_accepts_device_objects(capsys):
    def as_device(wanted="auto"):
        return alt.device(pick_device_reference(wanted))

    assert_correct(capsys, lesson11.check_pick_device(as_device))


def test_pick_device_checker_rejects_a_fixed_answer():
    with pytest.raises(ExerciseError, match="pick_device\\('auto'\\) when a GPU is available"):
        lesson11.check_pick_device(pick_device_always_cpu)


def test_pick_device_checker_wants_an_error_for_cuda_without_a_gpu():
    with pytest.raises(ExerciseError, match="must raise a RuntimeError"):
        lesson11.check_pick_device(pick_device_falling_back_silently)


def test_pick_device_checker_wants_cpu_when_cpu_is_asked_for():
    with pytest.raises(ExerciseError, match="pick_device\\('cpu'\\)"):
        lesson11.check_pick_device(pick_device_ignoring_the_request)


def test_pick_device_checker_restores_is_available():
    real = alt.cuda.is_available
    with pytest.raises(ExerciseError):
        lesson11.check_pick_device(pick_device_always_cpu)
    assert alt.cuda.is_available is real


def test_pick_device_checker_says_not_attempted_for_the_stub(capsys):
    assert_not_attempted(capsys, lesson11.check_pick_device(pick_device_stub))


# -- lesson 12: a tiny engine ----------------------------------------------------------------

def order_reference(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        value, parents_done = stack.pop()
        if parents_done:
            order.append(value)
        elif value not in seen:
            seen.add(value)
            stack.append((value, True))
            stack.extend((parent, False) for parent, _ in value.parents)
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
    return order_reference(root)[::-1]


def order_with_repeats(root):
    order = []
    stack = [root]
    while stack:
        value = stack.pop()
        order.append(value)
        stack.extend(parent for parent, _ in value.parents)
    return order[::-1]


def backward_reference(root):
    root.grad = 1.0
    for value in reversed(order_reference(root)):
        for parent, local in value.parents:
            parent.grad += local * value.grad


def backward_overwriting(root):
    root.grad = 1.0
    for value in reversed(order_reference(root)):
        for parent, local in value.parents:
            parent.grad = local * value.grad


def backward_without_seed(root):
    for value in reversed(order_reference(root)):
        for parent, local in value.parents:
            parent.grad += local * value.grad


def order_stub(root):
    ...


def backward_stub(root):
    ...


def test_value_records_local_derivatives():
    a, b = lesson12.Value(2.0), lesson12.Value(-3.0)
    c = a * b + a
    product, _ = c.parents[0]
    assert c.data == -4.0
    assert [(p is a, d) for p, d in product.parents] == [(True, -3.0), (False, 2.0)]


def test_value_local_derivatives_of_relu_tanh_and_sub():
    x = lesson12.Value(0.5)
    assert x.relu().parents[0][1] == 1.0
    assert lesson12.Value(0.0).relu().parents[0][1] == 0.0  # 0 at the kink, as in autograd_lab
    assert x.tanh().parents[0][1] == pytest.approx(1 - math.tanh(0.5) ** 2)
    difference = x - 2.0
    assert difference.data == -1.5
    assert [d for _, d in difference.parents] == [1.0, 1.0]
    assert difference.parents[1][0].parents[0][1] == -1.0  # the negation inside


def test_topological_order_checker_accepts_an_explicit_stack(capsys):
    assert_correct(capsys, lesson12.check_topological_order(order_reference))


def test_topological_order_checker_rejects_recursion_on_a_deep_chain():
    with pytest.raises(ExerciseError, match="RecursionError(.|\\n)*5000(.|\\n)*line .* in visit"):
        lesson12.check_topological_order(order_recursive)


def test_topological_order_checker_rejects_root_first():
    with pytest.raises(ExerciseError, match="comes before its parent"):
        lesson12.check_topological_order(order_root_first)


def test_topological_order_checker_rejects_repeated_values():
    with pytest.raises(ExerciseError, match="appears twice"):
        lesson12.check_topological_order(order_with_repeats)


def test_backward_checker_accepts_the_chain_rule_sweep(capsys):
    assert_correct(capsys, lesson12.check_backward(backward_reference))


def test_backward_checker_rejects_overwriting_instead_of_adding():
    with pytest.raises(ExerciseError, match="value used twice"):
        lesson12.check_backward(backward_overwriting)


def test_backward_checker_rejects_a_root_without_gradient_one():
    with pytest.raises(ExerciseError, match="root's own gradient"):
        lesson12.check_backward(backward_without_seed)


def test_tiny_engine_checkers_say_not_attempted_for_stubs(capsys):
    assert_not_attempted(capsys, lesson12.check_topological_order(order_stub))
    assert_not_attempted(capsys, lesson12.check_backward(backward_stub))


# -- the notebooks 07-12 follow the lesson layout ----------------------------------------------

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LATE_NOTEBOOKS = ["07_two_layer_autograd", "08_custom_functions", "09_nn_and_optim",
                  "10_static_vs_dynamic", "11_gpu", "12_under_the_hood"]


def read_cells(stem):
    return json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


@pytest.mark.parametrize("stem", LATE_NOTEBOOKS)
def test_late_notebook_opens_with_a_title_then_the_setup_call(stem):
    cells = read_cells(stem)
    assert cells[0]["cell_type"] == "markdown"
    assert source(cells[0]).startswith(f"# {stem[:2]} · ")
    assert "**After this lesson you will be able to**" in source(cells[0])
    assert "**Builds on:**" in source(cells[0])
    first_code = next(cell for cell in cells if cell["cell_type"] == "code")
    assert "setup()" in source(first_code)


@pytest.mark.parametrize("stem", LATE_NOTEBOOKS)
def test_late_notebook_has_markdown_before_every_code_cell(stem):
    cells = read_cells(stem)
    for before, cell in zip(cells, cells[1:]):
        if cell["cell_type"] == "code":
            assert before["cell_type"] == "markdown", source(cell)[:80]


@pytest.mark.parametrize("stem", LATE_NOTEBOOKS)
def test_late_notebook_is_stored_executed_with_untouched_exercises(stem):
    cells = [cell for cell in read_cells(stem) if cell["cell_type"] == "code"]
    assert all(cell["execution_count"] is not None for cell in cells)
    checker_cells = [cell for cell in cells if f"lesson{stem[:2]}.check_" in source(cell)]
    assert checker_cells, "every late lesson has at least one checked exercise"
    for cell in checker_cells:
        printed = "".join("".join(out.get("text", "")) for out in cell["outputs"])
        assert "not attempted yet" in printed


@pytest.mark.parametrize("stem", LATE_NOTEBOOKS)
def test_late_notebook_ends_with_a_summary_and_questions(stem):
    last = read_cells(stem)[-1]
    assert last["cell_type"] == "markdown"
    assert "## Summary" in source(last) and "## Questions to go further" in source(last)


def test_engine_functions_read_in_lesson_12_still_exist():
    from autograd_lab.autograd import engine, events
    from autograd_lab.ops.op import Op

    for function in (engine.run_backward, engine.count_dependencies, engine.add_gradient,
                     Op.apply, events.subscribe):
        assert callable(function)
    source = (NOTEBOOKS / "12_under_the_hood.ipynb").read_text()
    for name in ("run_backward", "count_dependencies", "add_gradient", "Op.apply"):
        assert name in source
