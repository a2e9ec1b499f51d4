"""Show a function's source in a notebook, coloured, with the lines that carry the idea marked.

`show_source(run_backward, marks=[...])` prints the whole function (or class),
syntax-highlighted, with a background on every line that contains one of `marks`: read the
marked lines first, they carry the algorithm; the rest is plumbing.

>>> from autograd_lab.autograd import engine
>>> listing = show_source(engine.count_dependencies, marks=["stack"])
>>> listing.marked_lines()[0] > 1
True
"""

import html
import inspect

MARK_COLOUR = "#fff3b0"


class Source:
    """The source text of an object, with the numbers (from 1) of the lines to mark."""

    def __init__(self, text, marks=()):
        self.text = text
        self.marks = tuple(marks)

    def marked_lines(self):
        return [number for number, line in enumerate(self.text.splitlines(), 1)
                if any(mark in line for mark in self.marks)]

    def _repr_html_(self):
        try:
            from pygments import highlight
            from pygments.formatters import HtmlFormatter
            from pygments.lexers import PythonLexer
            from pygments.styles import get_style_by_name
        except ImportError:  # no colours, the marks still show
            return self._plain_html()

        class Marked(get_style_by_name("default")):
            highlight_color = MARK_COLOUR

        formatter = HtmlFormatter(noclasses=True, hl_lines=self.marked_lines(), style=Marked,
                                  nobackground=True)
        return highlight(self.text, PythonLexer(), formatter)

    def _plain_html(self):
        marked = set(self.marked_lines())
        rows = [f'<span style="background:{MARK_COLOUR}">{html.escape(line)}</span>'
                if number in marked else html.escape(line)
                for number, line in enumerate(self.text.splitlines(), 1)]
        return "<pre>" + "\n".join(rows) + "</pre>"

    def __repr__(self):
        return self.text


def show_source(obj, marks=()):
    """The source of `obj` (a function, class or module) to display, `marks` highlighted."""
    return Source(inspect.getsource(obj), marks)
