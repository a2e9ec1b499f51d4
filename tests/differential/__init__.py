"""A differential tester: seeded random programs run step by step in PyTorch and in
autograd_lab (float64), compared after every step, with a shrinker for what differs.

grammar      the programs: one line of PyTorch code per step
runner       runs a program in both libraries side by side
compare      what is compared after each step
exclusions   the README's deliberate differences, let through
shrinker     the smallest program that still fails, as a runnable script
campaign     many programs: the mismatch rate and the causes
"""
