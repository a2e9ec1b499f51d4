"""Lesson 11: choosing the device."""

import autograd_lab as torch


def pick_device(wanted="auto"):
    available = torch.cuda.is_available()
    if wanted == "cpu":
        return "cpu"
    if wanted == "cuda" and not available:
        raise RuntimeError("pick_device('cuda'): no CUDA GPU is available")
    return "cuda" if available else "cpu"
