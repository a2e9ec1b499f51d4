"""pytest settings for the lesson notebooks: leave SVG pictures out of nbval's comparison.

Graph pictures are SVG drawn by Graphviz, and different Graphviz versions write different SVG for
the same graph. nbval keeps, per notebook, a tuple `skip_compare` of output keys it does not
compare; adding "image/svg+xml" there keeps every other output (text, HTML, errors) compared.
"""

SVG = "image/svg+xml"


def pytest_collection_modifyitems(items):
    for item in items:
        notebook = item.parent
        skipped = getattr(notebook, "skip_compare", None)
        if skipped is not None and SVG not in skipped:
            notebook.skip_compare = tuple(skipped) + (SVG,)
