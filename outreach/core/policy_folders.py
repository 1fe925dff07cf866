"""Where a municipality's policy files live: `campaigns/` holds the shared defaults, and
`campaigns/<CBS code>/` (e.g. `campaigns/0363/`) a municipality's own weighing framework and
campaign files, each replacing the shared file of the same name for that municipality only.

Only the layout: reading and validating the files is the business of the intake (the weighing
framework) and the cadence (campaigns). Pure Python on purpose (no Django).
"""

from __future__ import annotations

import re
from pathlib import Path

MUNICIPALITY_CODE = re.compile(r"^\d{4}$")


def is_municipality_code(name: str) -> bool:
    return bool(MUNICIPALITY_CODE.match(name))


def own_folder(folder: Path, code: str | None) -> Path | None:
    """The municipality's own folder inside the shared `folder` (it may not exist); None for
    no municipality."""
    if code is None:
        return None
    if not is_municipality_code(code):
        raise ValueError(f"not a four-digit municipality code: {code!r}")
    return folder / code


def effective_file(folder: Path, name: str, code: str | None) -> Path:
    """The file `name` as it applies to the municipality `code`: its own when it has one,
    else the shared one (which may not exist either)."""
    own = own_folder(folder, code)
    if own is not None and (own / name).is_file():
        return own / name
    return folder / name


def relative_name(folder: Path, path: Path) -> str:
    """A policy file as its municipality and name: "intensive.toml", "0363/intensive.toml"."""
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.name


def subfolders(folder: Path) -> tuple[list[str], list[str]]:
    """The municipality folders (by code) and the other folders of `folder`, sorted; hidden
    folders (".git") are left out."""
    codes: list[str] = []
    others: list[str] = []
    if not folder.is_dir():
        return codes, others
    for path in sorted(folder.iterdir()):
        if not path.is_dir() or path.name.startswith("."):
            continue
        (codes if is_municipality_code(path.name) else others).append(path.name)
    return codes, others
