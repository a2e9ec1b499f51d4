"""Thousands of seeded random programs, run step by step in PyTorch and in autograd_lab, must
behave the same after every step, apart from the differences the README lists; and the tester
itself (tests/differential/) must find what it is built to find.

`python -m tests.differential --programs 20000 --seed 1` runs more programs from another seed,
and prints the mismatch rate with one minimal reproduction per cause.
"""

import importlib.util

import pytest
from differential import campaign, compare, exclusions, runner, shrinker
from differential.grammar import Step

import autograd_lab as alt

needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="PyTorch is not installed")

#: The programs CI runs: always the same ones, so that a failure is a change in the code.
PROGRAMS, SEED = 5000, 0


@needs_torch
@pytest.mark.torch_reference
@pytest.mark.slow
def test_random_programs_behave_as_in_pytorch():
    ran = campaign.run(PROGRAMS, SEED)
    if ran.failures:
        pytest.fail(campaign.report(ran, campaign.causes(ran, limit=15)), pytrace=False)


@needs_torch
def test_pytorch_against_itself_never_differs():
    import torch

    ran = campaign.run(300, "self", ours=torch)
    assert ran.failures == [] and sum(ran.excused.values()) == 0


@needs_torch
def test_programs_are_the_same_for_the_same_seed():
    import torch

    first = runner.generate("again", [], ours=torch).steps
    assert [s.code for s in runner.generate("again", [], ours=torch).steps] == \
        [s.code for s in first]


@needs_torch
@pytest.mark.slow
def test_grammar_reaches_every_feature_it_promises():
    import torch

    steps = [step for number in range(600)
             for step in runner.generate(f"cover:{number}", [], ours=torch).steps]
    labels = " | ".join(step.label for step in steps)
    code = "\n".join(step.code for step in steps)
    for feature in ["leaf", "view", "reshape", "expand", "expand_as", "unsqueeze", "transpose",
                    "slice", "advanced index", "mask index", "(no_grad)", "in-place add_",
                    "in-place setitem", "in-place zero_", "in-place fill_", "in-place copy_",
                    "backward retain_graph", "backward create_graph", "backward inputs",
                    "autograd.grad allow_unused", "autograd.grad create_graph",
                    "hook (records)", "hook (doubles)", "retain_grad", "number**x", "softmax",
                    "log_softmax", "max(dim)", "amax", "where", "masked_fill", "matmul 1x1-D",
                    "matmul 2x1-D", "matmul 1x2-D", "matmul 3x2-D", "mm", "clamp", "keep .grad"]:
        assert feature in labels, feature
    for value in ["nan", "inf", "torch.zeros((0,"]:
        assert value in code, value


def _exclusion(words):
    return next(e for e in exclusions.EXCLUSIONS if words in e.readme)


def test_an_exclusion_excuses_only_its_own_difference():
    names = _exclusion("autograd_lab.float64")
    assert names.applies([], compare.Mismatch(0, "t0.dtype", "dtype", "torch.float64",
                                              "autograd_lab.float64"))
    assert not names.applies([], compare.Mismatch(0, "t0.dtype", "dtype", "torch.float64",
                                                  "autograd_lab.float32"))
    half_way = _exclusion("A backward pass that fails half-way")
    backward = [Step("t0.sum().backward()", "backward", reads=("t0",))]
    filled = compare.Mismatch(0, "t0.grad", "grad", "tensor([1.])", "None", after_error=True)
    assert half_way.applies(backward, filled)
    assert not half_way.applies(backward, compare.Mismatch(0, "t0.grad", "grad", "tensor([1.])",
                                                           "None"))


def test_overlap_exclusions_excuse_only_in_place_changes_through_the_same_storage():
    overlap = _exclusion("reads the whole operand before writing")
    steps = [Step("t1 = t0[:, -1]", "slice", defines=("t1",), reads=("t0",)),
             Step("t0.add_(t1)", "in-place add_", reads=("t0", "t1"), target="t0"),
             Step("t0.add_(t2)", "in-place add_", reads=("t0", "t2"), target="t0")]
    values = compare.Mismatch(1, "t0", "values", "[1.]", "[2.]")
    assert overlap.applies(steps, values)
    assert not overlap.applies(steps, compare.Mismatch(2, "t0", "values", "[1.]", "[2.]"))
    whole_view = _exclusion("checks `v` before bringing `v`'s history up to date")
    accumulate = steps[:1] + [Step("t1[...] += t2", "in-place setitem +=", reads=("t1", "t2"),
                                   target="t1")]
    refused = compare.Mismatch(1, "error", "error", "RuntimeError: a leaf Variable that requires "
                               "grad is being used in an in-place operation.", "no error")
    assert whole_view.applies(accumulate, refused)
    not_a_view = [Step("t1 = t0 * 2", "mul", defines=("t1",), reads=("t0",)), accumulate[1]]
    assert not whole_view.applies(not_a_view, refused)


def test_a_signed_zero_is_excused_only_after_a_matrix_product():
    signed_zero = _exclusion("nothing worth learning hangs on it")
    product = Step("t2 = t0.mm(t1)", "mm 2x2-D", defines=("t2",), reads=("t0", "t1"))
    divided = Step("t3 = t0 / t2", "div", defines=("t3",), reads=("t0", "t2"))
    infinities = compare.Mismatch(1, "t3", "values", "[[0.4, inf]]", "[[ 0.4, -inf]]")
    assert signed_zero.applies([product, divided], infinities)
    assert not signed_zero.applies([divided, divided], infinities)
    assert not signed_zero.applies([product, divided], compare.Mismatch(
        1, "t3", "values", "[[0.4, inf]]", "[[ 0.5, -inf]]"))


def test_a_gradient_changed_in_place_is_excused_only_where_autograd_grad_made_it():
    engine_view = _exclusion("a view you never made")
    made = Step("t1, = torch.autograd.grad(t0, [t2])", "autograd.grad", defines=("t1",),
                reads=("t0", "t2"))
    change = Step("t1[0] = t3", "in-place setitem", reads=("t1", "t3"), target="t1")
    refused = compare.Mismatch(1, "error", "error", "RuntimeError: A view was created in "
                               "no_grad mode and is being modified inplace with grad mode "
                               "enabled.", "no error")
    assert engine_view.applies([made, change], refused)
    assert not engine_view.applies([Step("t1 = t0 * 2", "mul", defines=("t1",)), change],
                                   refused)


def test_an_exclusion_is_in_force_only_while_the_readme_lists_it():
    readme = exclusions.README.read_text(encoding="utf-8")
    dtype_names = _exclusion("autograd_lab.float64")
    assert dtype_names in exclusions.in_force(readme)
    elsewhere = readme.replace(exclusions.SECTION, "## Somewhere else")
    assert dtype_names not in exclusions.in_force(elsewhere)  # only the list of differences counts
    assert dtype_names not in exclusions.in_force(readme.replace("autograd_lab.float64", "?"))


@needs_torch
def test_shrinker_reduces_a_planted_wrong_gradient_to_its_cause(monkeypatch):
    original = alt.Tensor.exp
    monkeypatch.setattr(alt.Tensor, "exp",
                        lambda self: original(self) + (self - self.detach()) * 0.5)
    program = [
        Step("t0 = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)", "leaf",
             ("t0",), pure=True),
        Step("t1 = t0 * 2", "scale", ("t1",), ("t0",), pure=True),
        Step("t2 = torch.tensor([3.0, 4.0], dtype=torch.float64)", "constant", ("t2",),
             pure=True),
        Step("t3 = t1.exp()", "exp", ("t3",), ("t1",), pure=True),
        Step("t4 = t2 + 1", "shift", ("t4",), ("t2",), pure=True),
        Step("t5 = t3.sum()", "sum", ("t5",), ("t3",), pure=True),
        Step("t3.register_hook(lambda g: g * 2)", "hook (doubles)", (), ("t3",)),
        Step("t5.backward(retain_graph=True)", "backward retain_graph", (), ("t5",)),
        Step("t6 = t4 * 2", "scale", ("t6",), ("t4",), pure=True),
    ]
    failing = runner.replay(program, exclusions.in_force())
    assert failing.failed and failing.mismatch.what == "t0.grad"

    smallest = shrinker.shrink(failing, exclusions.in_force())

    assert [step.label for step in smallest.steps] == ["leaf", "scale", "exp", "sum", "backward"]
    script = shrinker.reproduction(smallest)
    assert "t5.backward()\nprint(t0.grad)\n# PyTorch:" in script
    assert "# autograd_lab: " in script


@needs_torch
def test_command_line_prints_rate_and_causes(capsys):
    from differential.__main__ import main

    main(["--programs", "40", "--seed", "command line", "--causes", "2"])
    printed = capsys.readouterr().out
    assert "40 programs, " in printed and "outside the README's list" in printed
    assert "ran 40 programs in" in printed
