"""The lessons as a learner reads them: how each opens and ends, how errors and sources are shown,
and the steps that must be there, checked on the stored notebooks (nbval reruns them)."""

import ast
import importlib
import importlib.util
import inspect
import json
import os
import re
from pathlib import Path

import pytest

import autograd_lab as alt
from autograd_lab.autograd import engine
from autograd_lab.lessons import show_error
from autograd_lab.lessons.source import show_source

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = sorted(path.stem for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def cells(stem):
    return json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"])


def printed(cell):
    """Everything a code cell printed or displayed as text."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "".join(parts)


def code_cell(stem, text):
    (found,) = [cell for cell in cells(stem)
                if cell["cell_type"] == "code" and text in source(cell)]
    return found


def test_there_are_thirteen_lessons():
    assert len(LESSONS) == 13


@pytest.mark.parametrize("stem", LESSONS)
def test_each_lesson_opens_with_what_you_will_be_able_to_do(stem):
    opening = source(cells(stem)[0])
    assert opening.startswith(f"# {stem[:2]} · ")
    able = opening.split("**After this lesson you will be able to**")[1].split("**Builds on:**")[0]
    assert 2 <= len(re.findall(r"^- ", able, flags=re.M)) <= 4


@pytest.mark.parametrize("stem", LESSONS)
def test_each_lesson_ends_with_three_questions(stem):
    last = source(cells(stem)[-1])
    questions = re.split(r"^## (?:To go further|Questions to go further)$", last, flags=re.M)[1]
    assert re.findall(r"^(\d+)\. ", questions, flags=re.M) == ["1", "2", "3"]


@pytest.mark.parametrize("stem", LESSONS[1:])
def test_each_lesson_says_how_to_ask_for_help_before_its_first_checker(stem):
    """Just before the first checker: `lessonNN.hint("name")` and `show_solution("name")`, with
    names the lesson's checkers know."""
    number = stem[:2]
    lesson = importlib.import_module(f"autograd_lab.lessons.lesson{number}").LESSON
    lesson_cells = cells(stem)
    first = next(index for index, cell in enumerate(lesson_cells) if cell["cell_type"] == "code"
                 and f"lesson{number}.check_" in source(cell))
    before = source(lesson_cells[first - 1])
    stuck = before[before.index("Stuck? "):]
    names = re.findall(rf'lesson{number}\.(?:hint|show_solution)\("([^"]+)"\)', stuck)
    names += re.findall(r'`"([^"]+)"`', stuck)
    assert set(names) == set(lesson.exercises), stuck


@pytest.mark.parametrize("stem", LESSONS)
def test_no_stored_traceback_and_no_cell_that_must_raise(stem):
    """Errors shown on purpose print type and message (show_error), never a traceback."""
    for cell in cells(stem):
        assert "raises-exception" not in cell.get("metadata", {}).get("tags", []), source(cell)
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", source(cell)
        if cell["cell_type"] == "code":
            assert not re.search(r"^\s*except\b", source(cell), flags=re.M), source(cell)


@pytest.mark.parametrize("stem", LESSONS)
def test_sentences_about_the_pictures_follow_the_arrows(stem):
    """Arrows point the way gradients flow (output on top): no sentence reads them otherwise."""
    text = "\n".join(source(cell) for cell in cells(stem) if cell["cell_type"] == "markdown")
    for wrong in ("leaves upwards", "so two arrows leave it", "Read it from the top",
                  "Read it from the weights down", "pointing at `x`",
                  "gradients flow\nagainst them", "from the bottom up"):
        assert wrong not in text, wrong


def test_show_error_prints_the_type_and_message_and_keeps_going(capsys):
    with show_error():
        alt.ones(3, requires_grad=True).backward()
    with show_error():
        pass
    assert capsys.readouterr().out == (
        "RuntimeError: grad can be implicitly created only for scalar outputs\n"
        "(no error this time)\n")


def test_show_source_marks_the_lines_that_contain_a_mark():
    listing = show_source(engine.count_dependencies, marks=["stack.append"])
    lines = listing.text.splitlines()
    assert [lines[number - 1].strip() for number in listing.marked_lines()] == [
        "stack.append(next_node)"]
    assert listing._repr_html_().count("#fff3b0") == 1
    assert repr(listing) == listing.text


def test_lesson_00_first_picture_shows_only_the_states_present():
    picture = "".join(code_cell("00_start_here", "viz.draw(loss, legend=True)")["outputs"][0]
                      ["data"]["image/svg+xml"])
    assert "leaf that requires grad" in picture and "the way gradients flow" in picture
    for absent in ("buffers freed", "processing now", "create_graph", "saved for backward"):
        assert absent not in picture


def test_lesson_00_shows_learning_rates_too_small_and_too_big():
    out = printed(code_cell("00_start_here", "rates = [0.001, 0.01, 0.06, 0.08]"))
    finals = [float(line.split(":")[1]) for line in out.splitlines() if "after 20 steps" in line]
    assert abs(finals[0] - 3) > 1 and abs(finals[1] - 3) < 0.01 and abs(finals[3] - 3) > 100


def test_lesson_03_docks_the_live_graph_and_names_the_real_import():
    assert code_cell("03_autograd_first_steps", "viz.live().dock()")
    text = "\n".join(source(cell) for cell in cells("03_autograd_first_steps"))
    assert "delete the\nfirst line" not in text and "`import torch`" in text


def test_lesson_04_teaches_retain_graph_and_zeroing_before_the_jacobian_exercise():
    sources = [source(cell) for cell in cells("04_backward_in_depth")]
    exercise = next(i for i, text in enumerate(sources) if text.startswith("def jacobian"))
    zeroing = next(i for i, text in enumerate(sources) if "x.grad.zero_()" in text)
    retaining = next(i for i, text in enumerate(sources) if "backward(retain_graph=True)" in text)
    assert zeroing < exercise and retaining < exercise


def test_lesson_04_shows_the_tutorials_second_backward_and_retained_output_grad():
    second = printed(code_cell("04_backward_in_depth", "out.backward(create_graph=True)"))
    assert "tensor([[9., 9.],\n        [9., 9.]], grad_fn=<AddBackward0>)" in second
    retained = printed(code_cell("04_backward_in_depth", "out.retain_grad()"))
    assert retained.startswith("tensor(2.)")
    modes = printed(code_cell("04_backward_in_depth", "def f_forward"))
    assert "2.5839" in modes and "tensor([2.5839, 2.0000])" in modes


def test_lesson_04_no_longer_says_buffers_are_freed_node_by_node():
    text = "\n".join(source(cell) for cell in cells("04_backward_in_depth"))
    assert "as soon as it is done with them" not in text


def test_lesson_05_works_the_accumulation_bug_live():
    out = printed(code_cell("05_the_dynamic_graph", "def send_gradients"))
    assert "with = : a.grad = 3.0" in out and "with +=: a.grad = 6.0" in out


def test_lesson_06_detach_is_a_stop_gradient_and_the_error_is_explained():
    out = printed(code_cell("06_stop_tracking", "u = y.detach()"))
    assert "x.grad: tensor([1., 4., 9.])" in out and "u:      tensor([1., 4., 9.])" in out
    text = "\n".join(source(cell) for cell in cells("06_stop_tracking"))
    error = printed(code_cell("06_stop_tracking", "a.add_(1)\n"))
    assert "output 0 of AddBackward0" in error and "output 0 of\nAddBackward0" in text


def test_lesson_07_reads_its_timing_from_the_output():
    text = "\n".join(source(cell) for cell in cells("07_two_layer_autograd"))
    assert "cost about\nthe same" not in text and "Read the ratio" in text


def test_lesson_09_trains_on_real_data_and_draws_the_decision_boundary():
    assert "load_iris" in source(code_cell("09_nn_and_optim", "from sklearn.datasets"))
    boundary = code_cell("09_nn_and_optim", "contourf")
    assert any("image/png" in output.get("data", {}) for output in boundary["outputs"])


def test_lesson_12_marks_only_lines_the_engine_has():
    """A mark that no longer matches (the engine changed) would silently mark nothing."""
    from autograd_lab.autograd.function import Node
    from autograd_lab.ops.arithmetic import Mul
    from autograd_lab.ops.op import Op

    shown = {"Op.apply": Op.apply, "Node.attach": Node.attach, "Mul": Mul,
             "engine.run_backward": engine.run_backward,
             "engine.count_dependencies": engine.count_dependencies}
    calls = [node for cell in cells("12_under_the_hood") if cell["cell_type"] == "code"
             for node in ast.walk(ast.parse(source(cell)))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "show_source"]
    assert len(calls) == len(shown)
    for call in calls:
        text = inspect.getsource(shown[ast.unparse(call.args[0])])
        (marks,) = [keyword.value for keyword in call.keywords if keyword.arg == "marks"]
        for mark in ast.literal_eval(marks):
            assert mark in text, mark


def test_lesson_12_shows_the_engine_source_highlighted():
    for name in ("Op.apply", "Node.attach", "Mul", "engine.run_backward",
                 "engine.count_dependencies"):
        cell = code_cell("12_under_the_hood", f"show_source({name}")
        assert "#fff3b0" in "".join(cell["outputs"][0]["data"]["text/html"])


def test_run_notebooks_starts_the_kernels_on_this_checkout(monkeypatch):
    """Stored outputs come from the code beside the notebooks, not from an installed copy."""
    root = NOTEBOOKS.parent
    tool = root / "tools" / "run_notebooks.py"
    spec = importlib.util.spec_from_file_location("run_notebooks", tool)
    run_notebooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_notebooks)
    monkeypatch.setenv("PYTHONPATH", "elsewhere")
    assert run_notebooks.kernel_environment()["PYTHONPATH"].split(os.pathsep) == [str(root),
                                                                                 "elsewhere"]
