"""The notebook here is opened by tests/test_browser.py in a real browser, not run by nbval."""

collect_ignore_glob = ["*.ipynb"]
