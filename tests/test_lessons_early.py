"""The lesson helpers and the checkers of lessons 00-06: right answers pass, wrong ones explain."""

import numpy as np
import pytest

import autograd_lab as alt
from autograd_lab.lessons import checking, setup
from autograd_lab.lessons.checking import NOT_ATTEMPTED, ExerciseError, check, is_stub
from autograd_lab.lessons.data import two_layer_data

# ---------------------------------------------------------------- setup and data


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


def test_is_stub_spots_an_ellipsis_body_with_or_without_docstring():
    assert is_stub(stub) and is_stub(stub_with_docstring)
    assert not is_stub(doubled)


def test_check_reports_an_untouched_stub_without_raising(capsys):
    assert check("doubling", stub, [(1.0,)], hint="h", reference=doubled) is None
    assert NOT_ATTEMPTED in capsys.readouterr().out


def test_check_confirms_a_right_answer(capsys):
    assert check("doubling", lambda x: x + x, [(alt.ones(2),), (3.0,)], hint="h",
                 reference=doubled)
    assert capsys.readouterr().out == "✓ doubling: correct\n"


def test_check_raises_with_input_expected_received_and_hint():
    with pytest.raises(ExerciseError) as raised:
        check("doubling", lambda x: x * 3, [(alt.tensor([1.0, 2.0]),)], hint="times two",
              reference=doubled)
    message = str(raised.value)
    for part in ("input:", "expected:", "received:", "hint: times two", "largest difference"):
        assert part in message
    assert raised.value.hint == "times two"


def test_check_turns_an_exception_into_an_exercise_error():
    def broken(x):
        raise KeyError("oops")

    with pytest.raises(ExerciseError, match="raised KeyError"):
        check("doubling", broken, [(1.0,)], hint="h", reference=doubled)


def test_check_gives_every_call_fresh_arguments():
    def changes_input(x):
        x.mul_(2)
        return x

    x = alt.ones(3)
    check("doubling", changes_input, [(x,)], hint="h", reference=doubled)
    assert x.tolist() == [1.0, 1.0, 1.0]


def test_close_compares_shapes_not_just_values():
    assert not checking.close(alt.ones(3, 1), alt.ones(3))
    assert checking.close((alt.ones(2), None), (np.ones(2), None))
    assert not checking.close(None, alt.ones(1))
