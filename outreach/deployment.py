"""How the service runs, read from the environment: development (the embedded default of
`make run` and the tests) or production, and what production asks for (a secret key of its own,
HTTPS behind a TLS proxy, short sessions, a limit on password guessing).

The mode is `OUTREACH_ENV`; without it a service with `DATABASE_URL` runs in production and the
embedded default (SQLite, no `DATABASE_URL`) in development. Production refuses to start
without `SECRET_KEY`; development keeps a random key of its own in the data directory. A plain
module (no Django settings needed), so that a test can read any environment.
"""

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PRODUCTION = "production"
DEVELOPMENT = "development"
# Where development keeps its generated key, in the data directory (readable by its owner only).
KEY_FILE = "secret_key"
# What Django's deployment check (security.W009) asks of a key.
MIN_KEY_LENGTH = 50
MIN_KEY_CHARACTERS = 5
HSTS_ONE_YEAR = 365 * 24 * 3600
KEY_HINT = (
    "generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))' "
    '(see the README, "Running in production")'
)
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Deployment:
    """The settings that differ between development and production."""

    mode: str
    secret_key: str
    # HTTPS: redirect plain HTTP; Strict-Transport-Security; trust the TLS proxy's
    # X-Forwarded-Proto (and X-Forwarded-For for the login limit) only when it is there.
    ssl_redirect: bool
    hsts_seconds: int
    hsts_include_subdomains: bool
    hsts_preload: bool
    behind_tls_proxy: bool
    csrf_trusted_origins: list[str]
    secure_cookies: bool
    # A session lasts a working day, and ends when the browser closes.
    session_seconds: int
    session_ends_with_browser: bool
    # Logins: this many failures for one account, or from one address, lock it for the
    # cool-off (each further try starts the cool-off again).
    login_failure_limit: int
    login_cooloff_minutes: int

    @property
    def production(self) -> bool:
        return self.mode == PRODUCTION

    @property
    def proxy_ssl_header(self) -> tuple[str, str] | None:
        return ("HTTP_X_FORWARDED_PROTO", "https") if self.behind_tls_proxy else None


def from_environment(environ: Mapping[str, str], data_dir: Path) -> Deployment:
    """The deployment `environ` describes; ImproperlyConfigured with the variable and the
    reason when it asks for something the service cannot do."""
    mode = run_mode(environ)
    production = mode == PRODUCTION
    return Deployment(
        mode=mode,
        secret_key=secret_key(environ, production, data_dir),
        ssl_redirect=env_flag(environ, "OUTREACH_SSL_REDIRECT", production),
        hsts_seconds=env_count(
            environ, "OUTREACH_HSTS_SECONDS", HSTS_ONE_YEAR if production else 0
        ),
        hsts_include_subdomains=env_flag(environ, "OUTREACH_HSTS_INCLUDE_SUBDOMAINS", production),
        hsts_preload=env_flag(environ, "OUTREACH_HSTS_PRELOAD", production),
        behind_tls_proxy=env_flag(environ, "OUTREACH_BEHIND_TLS_PROXY", False),
        csrf_trusted_origins=trusted_origins(environ.get("CSRF_TRUSTED_ORIGINS", "")),
        secure_cookies=env_flag(environ, "SECURE_COOKIES", production),
        session_seconds=3600 * env_count(environ, "OUTREACH_SESSION_HOURS", 9, least=1),
        session_ends_with_browser=env_flag(environ, "OUTREACH_SESSION_ENDS_WITH_BROWSER", True),
        login_failure_limit=env_count(environ, "OUTREACH_LOGIN_FAILURE_LIMIT", 10, least=1),
        login_cooloff_minutes=env_count(environ, "OUTREACH_LOGIN_COOLOFF_MINUTES", 15, least=1),
    )


def run_mode(environ: Mapping[str, str]) -> str:
    """OUTREACH_ENV; without it production when DATABASE_URL is set, else development."""
    given = environ.get("OUTREACH_ENV", "").strip().lower()
    if not given:
        return PRODUCTION if environ.get("DATABASE_URL", "").strip() else DEVELOPMENT
    if given not in {PRODUCTION, DEVELOPMENT}:
        raise ImproperlyConfigured(
            f"OUTREACH_ENV is {given!r}: it must be {PRODUCTION!r} or {DEVELOPMENT!r}"
        )
    return given


def secret_key(environ: Mapping[str, str], production: bool, data_dir: Path) -> str:
    """SECRET_KEY. Production needs one of its own (no default key signs anybody's session);
    development without one uses the key it keeps in the data directory."""
    given = environ.get("SECRET_KEY", "").strip()
    if not production:
        return given or kept_key(data_dir / KEY_FILE)
    if not given:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. In production (DATABASE_URL set, or OUTREACH_ENV="
            "production) the service does not start without a secret key of its own: "
            f"{KEY_HINT}. For a local run without it, set OUTREACH_ENV=development."
        )
    if len(given) < MIN_KEY_LENGTH or len(set(given)) < MIN_KEY_CHARACTERS:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak: it needs at least {MIN_KEY_LENGTH} characters, "
            f"{MIN_KEY_CHARACTERS} of them different; {KEY_HINT}."
        )
    return given


def _new_secret_key() -> str:
    return secrets.token_urlsafe(MIN_KEY_LENGTH)


def kept_key(path: Path, make: Callable[[], str] = _new_secret_key) -> str:
    """The key in `path`, made by `make` (random; the file readable by its owner only) when
    there is none. Two processes starting at once both end with the first one's key."""
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(make() + "\n")
    try:
        os.link(draft, path)  # never replaces a key another process wrote meanwhile
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(f"the key file {path} is empty: remove it to make a new one")
    return key


def trusted_origins(value: str) -> list[str]:
    """CSRF_TRUSTED_ORIGINS: addresses separated by commas, each with its scheme."""
    origins = [origin.strip() for origin in value.split(",") if origin.strip()]
    for origin in origins:
        if "://" not in origin:
            raise ImproperlyConfigured(
                f"CSRF_TRUSTED_ORIGINS: {origin!r} lacks its scheme, e.g. https://{origin}"
            )
    return origins


def env_flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} is {value!r}: use 1 (on) or 0 (off)")


def env_count(environ: Mapping[str, str], name: str, default: int, least: int = 0) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < least:
        raise ImproperlyConfigured(f"{name} is {value!r}: it must be a whole number ≥ {least}")
    return int(value)
