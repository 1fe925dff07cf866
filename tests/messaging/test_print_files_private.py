"""The print house's files (names and addresses) are the service's only: 0600 in 0700 folders,
also in a process whose umask would make them world-readable."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from outreach.messaging.printing.batches import make_print_batches
from tests.messaging.channels import at, make_cases

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("channel_campaign", "transports"),
]

FRIDAY = at("2026-05-15")


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


def test_a_batch_s_files_and_folders_are_private_whatever_the_umask(
    municipality, engine, settings, loose_umask
):
    make_cases(municipality, 1, FRIDAY)
    engine(FRIDAY)
    (batch,) = make_print_batches(at("2026-05-15", "15:00"))
    folder = Path(batch.folder)
    root = Path(settings.OUTREACH_PRINT_DIR)
    assert [mode(folder / batch.pdf_name), mode(folder / batch.csv_name)] == ["0o600", "0o600"]
    assert [mode(folder), mode(root), mode(root / ".partial")] == ["0o700"] * 3
