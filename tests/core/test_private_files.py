"""Files with personal data are the service's only: the SQLite database (names, BSNs) 0600 in a
0700 data folder, and the files the service writes (the outbox, sample data) 0600 in 0700
folders, also in a process whose umask would make them world-readable (022)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper

from outreach.demo.sample_data import write_csv
from outreach.messaging.transports.base import Outgoing
from outreach.messaging.transports.outbox import FileOutboxTransport

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The umask most systems start a process with: files 0644, folders 0755."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_migrate_on_a_fresh_data_folder_makes_a_private_database(tmp_path):
    data = tmp_path / "fresh" / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(OUTREACH_DATA_DIR=str(data), PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "outreach.cli", "migrate", "--no-input"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        umask=0o022,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    database = data / "outreach.sqlite3"
    assert database.is_file()
    assert (oct(mode(data)), oct(mode(database))) == ("0o700", "0o600")
    assert mode(data.parent) == 0o700  # a parent it had to make too
    leftovers = [p for p in data.iterdir() if p.name.startswith("outreach.sqlite3-")]
    assert all(mode(p) == 0o600 for p in leftovers)


def test_a_sqlite_database_made_by_sqlite_itself_is_tightened_on_connect(
    tmp_path, loose_umask, django_db_blocker
):
    folder = tmp_path / "data"
    folder.mkdir()
    database = folder / "other.sqlite3"
    connection = DatabaseWrapper({**_sqlite_settings(), "NAME": str(database)}, alias="probe")
    with django_db_blocker.unblock():  # (a database of its own, not the tests')
        try:
            connection.ensure_connection()  # SQLite makes the file with the umask's 0644
            with connection.cursor() as cursor:
                cursor.execute("create table t (name text)")
        finally:
            connection.close()
    assert (oct(mode(folder)), oct(mode(database))) == ("0o700", "0o600")


def test_the_outbox_is_private_whatever_the_umask(settings, tmp_path, loose_umask):
    settings.OUTREACH_OUTBOX_FILE = tmp_path / "var" / "outbox" / "outbox.jsonl"
    FileOutboxTransport().send([Outgoing(1, 3, "sms", "+31612345678", "Beste J. Jansen", "nl")])
    outbox = Path(settings.OUTREACH_OUTBOX_FILE)
    assert (oct(mode(outbox.parent)), oct(mode(outbox))) == ("0o700", "0o600")
    assert mode(outbox.parent.parent) == 0o700


def test_an_outbox_left_readable_by_an_older_version_is_tightened(settings, tmp_path):
    outbox = tmp_path / "outbox.jsonl"
    outbox.write_text("")
    outbox.chmod(0o644)
    tmp_path.chmod(0o755)
    settings.OUTREACH_OUTBOX_FILE = outbox
    FileOutboxTransport().send([Outgoing(1, 3, "sms", "+31612345678", "Beste J. Jansen", "nl")])
    assert (oct(mode(tmp_path)), oct(mode(outbox))) == ("0o700", "0o600")


def test_sample_data_files_are_private(tmp_path, loose_umask):
    path = tmp_path / "signals.csv"
    write_csv(path, [{"achternaam": "Jansen"}], ["achternaam"])
    assert oct(mode(path)) == "0o600"


def _sqlite_settings() -> dict:
    from django.db import connections

    base = dict(connections.settings["default"])
    base.update(ENGINE="django.db.backends.sqlite3", OPTIONS={}, TEST={}, CONN_MAX_AGE=0)
    return base


def test_collected_static_files_are_readable_by_the_web_server_under_the_private_umask(
    settings, tmp_path
):
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path / "static"
    before = os.umask(0o077)  # what the package sets for every process (outreach/__init__.py)
    try:
        call_command("collectstatic", "--noinput", verbosity=0)
    finally:
        os.umask(before)
    css = next(settings.STATIC_ROOT.glob("admin/css/*.css"))
    assert css.stat().st_mode & 0o777 == 0o644
    assert css.parent.stat().st_mode & 0o777 == 0o755
