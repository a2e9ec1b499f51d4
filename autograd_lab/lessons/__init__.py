"""Helpers for the lesson notebooks: one `setup()` call, data makers and exercise checkers.

Every notebook starts with

>>> from autograd_lab.lessons import setup
>>> device = setup()
autograd_lab 0.1.0 | device: cpu | seed: 0

The data makers live in `autograd_lab.lessons.data`, the checker machinery in
`autograd_lab.lessons.checking` (and `results`, which compares and describes what an answer
returned), each lesson's checkers in `autograd_lab.lessons.lessonNN`, and worked answers in
`autograd_lab.lessons.solutions`: a checker shows one only when asked,
`lessonNN.show_solution("name")`, after a nudge and a stronger hint (`lessonNN.hint("name")`).
"""

import random

import numpy as np

import autograd_lab


def setup(seed=0, device=None):
    """Seed every random generator, set print options and say which device the lesson uses.

    `device` is None or "cpu" for the CPU; "cuda" asks for the GPU, which is used only when
    CuPy sees one (otherwise a note is printed and the lesson falls back to the CPU).
    Returns the device string ("cpu" or "cuda"), to pass on as `device=...`.
    """
    chosen = "cpu"
    if device is not None and str(device).startswith("cuda"):
        if autograd_lab.cuda.is_available():
            chosen = "cuda"
        else:
            print("note: no CUDA GPU is available here (CuPy missing or no device); "
                  "using the CPU instead.")
    elif device is not None and str(device) != "cpu":
        raise RuntimeError(
            f"Expected one of cpu, cuda device type at start of device string: {device}"
        )
    random.seed(seed)
    np.random.seed(seed)
    autograd_lab.manual_seed(seed)
    autograd_lab.set_printoptions(precision=4)
    np.set_printoptions(precision=4, suppress=True)
    print(f"autograd_lab {autograd_lab.__version__} | device: {chosen} | seed: {seed}")
    return chosen
