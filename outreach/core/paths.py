"""Paths as commands print them."""

from pathlib import Path


def shown_path(file: str) -> str:
    """A path relative to the working directory when it lies inside it."""
    path = Path(file)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return file
