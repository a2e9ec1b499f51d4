"""Worked answers to the lessons' exercises, one module per lesson. Try the exercise first.

`lessonNN.show_solution("name")` prints one of these; the checkers also use them as their
reference. Each is written as it would be in its notebook (lessons 07, 09 and 11 import
autograd_lab as `torch`, the others as `alt`), and yours may differ and still be right.
"""
