"""raylint: find, fix and measure Ray performance anti-patterns."""

__version__ = "0.1.0"
