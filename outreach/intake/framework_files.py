"""The weighing framework per municipality, read once per version of its file.

`campaigns/afwegingskader.toml` is the shared framework; `campaigns/<code>/afwegingskader.toml`
replaces it for that municipality (outreach.core.policy_folders). A file is read again only when
its modification time or size changed, so a queue request or an import costs one `stat`, and an
edited file applies from the next import on without a restart.
"""

import os
import threading
from pathlib import Path

from outreach.core.policy_folders import effective_file
from outreach.intake.weighing import Framework, load_framework

FRAMEWORK_FILE = "afwegingskader.toml"

# path -> ((mtime_ns, size), framework)
_loaded: dict[Path, tuple[tuple[int, int], Framework]] = {}
_lock = threading.Lock()


def framework_for(folder: Path, code: str | None) -> Framework:
    """The framework that applies to municipality `code` (None: the shared one); FrameworkError
    with every problem when that file is invalid."""
    path = effective_file(folder, FRAMEWORK_FILE, code)
    try:
        info = os.stat(path)
    except OSError:
        return load_framework(path)  # reports the missing file as the framework's problem
    stamp = (info.st_mtime_ns, info.st_size)
    cached = _loaded.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    framework = load_framework(path)
    with _lock:
        _loaded[path] = (stamp, framework)
    return framework


def forget() -> None:
    """Read every framework anew on next use (tests that rewrite a file within one tick of
    the file system's clock)."""
    with _lock:
        _loaded.clear()
