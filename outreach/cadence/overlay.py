"""A municipality's effective set of campaign files: the shared files of `campaigns/`, each
replaced by the municipality's own file of the same name in `campaigns/<code>/`
(outreach.core.policy_folders). `requirements.toml` stays shared.

Pure Python on purpose (no Django).
"""

from __future__ import annotations

from pathlib import Path

from outreach.cadence.campaigns import campaign_files
from outreach.core.policy_folders import own_folder


def effective_campaign_files(folder: Path, code: str | None) -> dict[str, Path]:
    """Campaign name -> the file that applies to municipality `code` (None: the shared set),
    sorted by name."""
    files = {path.stem: path for path in campaign_files(folder)}
    own = own_folder(folder, code)
    if own is not None and own.is_dir():
        files.update({path.stem: path for path in campaign_files(own)})
    return dict(sorted(files.items()))
