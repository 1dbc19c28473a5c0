"""briefings: a static-site generator for policy briefings, in Chinese and English."""

__version__ = "0.1.0"
