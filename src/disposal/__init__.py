"""disposal: decision support for police community resolutions (England and Wales)."""

__version__ = "0.1.0"
