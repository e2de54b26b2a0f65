"""Source formats above the engine: a file on disk becomes text the engine lints (a Python file as it is,
a notebook as its cells joined), so the engine never needs to know about notebooks."""

# what a notebook's name ends with; here, so that telling one apart does not load the notebook reader
NOTEBOOK_SUFFIX = ".ipynb"
