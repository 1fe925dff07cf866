"""The BSN's encryption and blind index (outreach.core.bsn), its keys and how it fails."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from outreach.core.bsn import BsnKeyError, Keyring, keyring, parse_keys
from outreach.core.checks import bsn_key

ROOT = Path(__file__).resolve().parents[2]
BSN = "111222333"
OLD, NEW = Fernet.generate_key(), Fernet.generate_key()


def test_a_sealed_bsn_opens_again_and_never_shows_the_number():
    keys = Keyring([NEW])
    first, second = keys.seal(BSN), keys.seal(BSN)
    assert first != second  # a fresh token each time: equal BSNs do not look equal
    assert BSN not in first and BSN not in second
    assert keys.open(first) == keys.open(second) == BSN


def test_the_blind_index_is_the_same_for_the_same_bsn_and_depends_on_the_key():
    keys = Keyring([NEW])
    assert keys.index(BSN) == keys.index(BSN)
    assert len(keys.index(BSN)) == 32 and BSN not in keys.index(BSN)
    assert keys.index(BSN) != keys.index("123456782")
    assert Keyring([OLD]).index(BSN) != keys.index(BSN)


def test_after_a_new_key_is_put_first_old_values_open_and_match_and_new_ones_use_the_new_key():
    old = Keyring([OLD])
    token = old.seal(BSN)
    rotated = Keyring([NEW, OLD])
    assert rotated.open(token) == BSN
    assert rotated.indexes(BSN) == (Keyring([NEW]).index(BSN), old.index(BSN))
    assert rotated.index(BSN) == Keyring([NEW]).index(BSN)
    assert Keyring([NEW]).open(rotated.seal(BSN)) == BSN
    assert not rotated.is_current(token) and rotated.is_current(rotated.seal(BSN))


def test_a_wrong_key_fails_clearly_without_the_number():
    token = Keyring([OLD]).seal(BSN)
    with pytest.raises(BsnKeyError, match="does not open with any key in OUTREACH_BSN_KEY") as err:
        Keyring([NEW]).open(token)
    assert BSN not in str(err.value)


def test_only_nine_digits_are_sealed_and_the_error_does_not_repeat_the_value():
    with pytest.raises(ValueError, match="9 digits") as err:
        Keyring([NEW]).seal("11122233")
    assert "11122233" not in str(err.value)


def test_a_malformed_key_is_refused_without_showing_it():
    with pytest.raises(ImproperlyConfigured, match="key 2 of 2 is not 32 bytes") as err:
        parse_keys(f"{NEW.decode()}, not-a-key-at-all")
    assert "not-a-key-at-all" not in str(err.value)
    assert len(parse_keys(f"{NEW.decode()},{OLD.decode()}")) == 2


def test_the_system_check_reports_a_malformed_key(settings):
    settings.OUTREACH_BSN_KEY = "tooshort"
    (error,) = bsn_key()
    assert error.id == "core.E002" and "key 1 of 1" in error.msg
    settings.OUTREACH_BSN_KEY = NEW.decode()
    assert bsn_key() == []


def test_without_a_key_the_embedded_default_keeps_a_generated_one_for_its_owner_only(
    settings, tmp_path
):
    settings.OUTREACH_BSN_KEY = ""
    settings.OUTREACH_BSN_KEY_FILE = tmp_path / "data" / "bsn.key"
    token = keyring().seal(BSN)
    assert stat.S_IMODE(os.stat(settings.OUTREACH_BSN_KEY_FILE).st_mode) == 0o600
    assert keyring().open(token) == BSN  # read back, not generated again
    assert len(parse_keys(settings.OUTREACH_BSN_KEY_FILE.read_text())) == 1


def start_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a process of their own with this environment."""
    unset = ("OUTREACH_BSN_KEY", "DEBUG", "DATABASE_URL", "OUTREACH_ENV", "SECRET_KEY")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-c", "import outreach.settings"],
        env={**base, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_production_does_not_start_without_a_bsn_key(tmp_path):
    database = {
        "DATABASE_URL": "postgres://outreach@db.invalid/outreach",
        "SECRET_KEY": "k7Qz-2vNwX9pLr4Tb8Hs1Yc6Fd3Gm5Jq0Ue7Wi2Oa9Rt4Ey8Un1Bx6Zv3Cs5Kp0Lh",
    }
    refused = start_settings(**database)
    assert refused.returncode != 0
    assert "OUTREACH_BSN_KEY is not set" in refused.stderr
    assert start_settings(**database, OUTREACH_BSN_KEY=NEW.decode()).returncode == 0
    # Development on PostgreSQL (OUTREACH_ENV) and the embedded default use the key file.
    development = start_settings(**database, OUTREACH_ENV="development")
    assert development.returncode == 0, development.stderr
    embedded = start_settings(OUTREACH_DATA_DIR=str(tmp_path))
    assert embedded.returncode == 0, embedded.stderr


def test_the_embedded_defaults_key_file_is_read_once_per_process(settings, tmp_path):
    settings.OUTREACH_BSN_KEY = ""
    settings.OUTREACH_BSN_KEY_FILE = tmp_path / "once" / "bsn.key"
    token = keyring().seal(BSN)
    settings.OUTREACH_BSN_KEY_FILE.unlink()  # a file of clients seals each row: no read per row
    assert keyring().open(token) == BSN
    assert not settings.OUTREACH_BSN_KEY_FILE.exists()
