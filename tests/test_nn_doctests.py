"""The examples in the docstrings of nn and optim run and print what they show."""

import doctest
import importlib

import pytest

MODULES = ["autograd_lab.nn.parameter", "autograd_lab.nn.module", "autograd_lab.nn.container",
           "autograd_lab.nn.linear", "autograd_lab.nn.activation", "autograd_lab.nn.loss",
           "autograd_lab.nn.functional", "autograd_lab.nn.init", "autograd_lab.optim.sgd"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
