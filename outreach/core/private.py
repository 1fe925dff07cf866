"""Files and folders with personal data (names, BSNs, addresses) are their owner's only: data
files 0600, folders 0700, whatever the umask of the process that makes them.

    private_umask()              the process makes files 0600 and folders 0700 (entry points)
    private_dir(path) -> path    a folder, made or tightened to 0700 (its parents as needed)
    open_private(path) -> fd     a file opened for writing, created or tightened to 0600
    tighten_sqlite(connection)   the SQLite database file and its journals 0600

Only what this process owns is tightened: a folder someone else set up (e.g. a print folder
shared with a pick-up account) is left as it is.
"""

import os
from pathlib import Path
from typing import Any

FILE_MODE = 0o600
DIR_MODE = 0o700
UMASK = 0o077
SQLITE_SUFFIXES = ("", "-journal", "-wal", "-shm")


def private_umask() -> None:
    """No group or other permissions on anything this process creates from now on (SQLite's
    database, its journals, libraries' files); keeps stricter bits already set."""
    current = os.umask(UMASK)
    os.umask(current | UMASK)


def private_dir(path: Path) -> Path:
    """`path` as a folder of mode 0700: made (with its missing parents, also 0700) or, when
    this process's user owns it, tightened."""
    if path.is_dir():
        _tighten(path, DIR_MODE)
        return path
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    for folder in missing:  # (mkdir gives the parents the umask's mode)
        _tighten(folder, DIR_MODE)
    return path


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """A descriptor of `path` opened with `flags`, the file 0600 also when it was there."""
    fd = os.open(path, flags, FILE_MODE)
    try:
        if os.fstat(fd).st_uid == os.geteuid():
            os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def tighten_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: a SQLite database file (SQLite creates it with the
    umask's mode) and its journals 0600, its folder 0700."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    database = Path(name)
    for suffix in SQLITE_SUFFIXES:
        _tighten(database.with_name(database.name + suffix), FILE_MODE)
    _tighten(database.parent, DIR_MODE)


def _tighten(path: Path, mode: int) -> None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    if status.st_uid == os.geteuid() and status.st_mode & 0o777 != mode:
        os.chmod(path, mode)
