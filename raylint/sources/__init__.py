"""Source formats above the engine: a file on disk becomes text the engine lints (a Python file as it is,
a notebook as its cells joined), so the engine never needs to know about notebooks."""
