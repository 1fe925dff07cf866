"""The BSN (burgerservicenummer) at rest: encrypted, and looked up by a keyed blind index.

A stored BSN is two columns: `bsn_encrypted`, a Fernet token (AES-128-CBC with HMAC-SHA256, so
authenticated) from which only the keys give the number back, and `bsn_index`, an HMAC-SHA256
of the number under a key derived from the same key, on which the screening sources are
matched (equal numbers, equal index) without the number itself being stored or compared.

The keys (`OUTREACH_BSN_KEY`): one or more url-safe base64 keys of 32 bytes, separated by
commas. The first encrypts and indexes; every key decrypts, and lookups try the index under
every key, so rows written under an earlier key still match until `outreach rekey-bsn` has
moved them to the first. Without the variable (the embedded default, never production: the
settings refuse to start) a key is generated once and kept in `OUTREACH_BSN_KEY_FILE`
(readable by its owner only).

Nothing here logs or names a BSN: errors say what is wrong, never with the value.
"""

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from outreach.deployment import kept_key

# The index is the HMAC's first 128 bits, hex: no two of the billion possible BSNs collide in
# practice, and the source tables' indexes stay small.
INDEX_LENGTH = 32
KEY_HINT = (
    'make a key with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


class BsnKeyError(Exception):
    """A stored BSN does not open with the configured keys (a wrong or missing key)."""


def parse_keys(text: str) -> list[bytes]:
    """The keys of `OUTREACH_BSN_KEY` ("key1,key2"); ImproperlyConfigured (never showing a key)
    when one is not 32 bytes of url-safe base64."""
    parts = [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]
    if not parts:
        raise ImproperlyConfigured(f"OUTREACH_BSN_KEY holds no key; {KEY_HINT}")
    keys = []
    for number, part in enumerate(parts, start=1):
        try:
            raw = base64.urlsafe_b64decode(part.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"OUTREACH_BSN_KEY: key {number} of {len(parts)} is not 32 bytes of url-safe "
                f"base64; {KEY_HINT}"
            )
        keys.append(part.encode("ascii"))
    return keys


def _index_key(key: bytes) -> bytes:
    """The blind index's own key, derived from `key`: the index never uses the encryption key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"outreach bsn blind index"
    ).derive(base64.urlsafe_b64decode(key))


def _check(bsn: str) -> bytes:
    if len(bsn) != 9 or not (bsn.isascii() and bsn.isdigit()):
        raise ValueError("not a BSN: it needs 9 digits")  # the value itself is never shown
    return bsn.encode("ascii")


class Keyring:
    """The configured keys: the first encrypts and indexes, all decrypt and look up."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ImproperlyConfigured(f"no BSN key; {KEY_HINT}")
        self._primary = Fernet(keys[0])
        self._all = MultiFernet([Fernet(key) for key in keys])
        # HMAC states with the key already absorbed: each index only copies one.
        self._macs = [hmac.new(_index_key(key), digestmod=hashlib.sha256) for key in keys]

    def seal(self, bsn: str) -> str:
        """The BSN encrypted under the first key (a different token each time)."""
        return self._primary.encrypt(_check(bsn)).decode("ascii")

    def open(self, token: str) -> str:
        """The BSN in `token`; BsnKeyError when no configured key opens it."""
        try:
            return self._all.decrypt(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError) as exc:
            raise BsnKeyError(
                "a stored BSN does not open with any key in OUTREACH_BSN_KEY: the key is "
                "wrong, or the key it was encrypted with is no longer in the list"
            ) from exc

    def index(self, bsn: str) -> str:
        """The blind index under the first key: what is stored beside the encrypted BSN."""
        return self._index(self._macs[0], _check(bsn))

    def indexes(self, bsn: str) -> tuple[str, ...]:
        """The blind index under every key, the first first: what a lookup looks for."""
        data = _check(bsn)
        return tuple(self._index(mac, data) for mac in self._macs)

    def stored(self, bsn: str) -> tuple[str, str]:
        """(encrypted, index) to store for `bsn`; ("", "") for no BSN."""
        if not bsn:
            return "", ""
        return self.seal(bsn), self.index(bsn)

    def is_current(self, token: str) -> bool:
        """Whether `token` is encrypted under the first key (else `rekey-bsn` moves it)."""
        try:
            self._primary.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeError):
            return False
        return True

    @staticmethod
    def _index(mac: "hmac.HMAC", data: bytes) -> str:
        h = mac.copy()
        h.update(data)
        return h.hexdigest()[:INDEX_LENGTH]


@lru_cache(maxsize=4)
def _keyring(text: str) -> Keyring:
    return Keyring(parse_keys(text))


def keyring() -> Keyring:
    """The keys of the settings: `OUTREACH_BSN_KEY`, else the embedded default's key file."""
    text = settings.OUTREACH_BSN_KEY or _key_file(Path(settings.OUTREACH_BSN_KEY_FILE))
    return _keyring(text)


@lru_cache(maxsize=4)
def _key_file(path: Path) -> str:
    """The embedded default's key, kept in `path` (made the first time): read once per process,
    not at every BSN a file of clients seals."""
    return kept_key(path, lambda: Fernet.generate_key().decode("ascii"))


def seal(bsn: str) -> str:
    """`bsn` encrypted under the current key."""
    return keyring().seal(bsn)


def open_(token: str) -> str:
    """The BSN in an encrypted value; BsnKeyError with a wrong key."""
    return keyring().open(token)


def blind_index(bsn: str) -> str:
    """The keyed blind index of `bsn` under the current key."""
    return keyring().index(bsn)


def bsn_fields(bsn: str) -> dict[str, str]:
    """The model fields that store `bsn` ("" for none): `Model(**bsn_fields(bsn), ...)`."""
    encrypted, index = keyring().stored(bsn)
    return {"bsn_encrypted": encrypted, "bsn_index": index}
