"""dudao (督导): county education supervision and evaluation."""

__version__ = "0.1.0"
