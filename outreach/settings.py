"""Settings from environment variables (12-factor).

Without DATABASE_URL the service runs on SQLite; without REDIS_URL Celery runs tasks in-process
(the embedded default that `make run` uses). With DATABASE_URL it runs in production
(outreach.deployment), which asks for a SECRET_KEY of its own.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from outreach import deployment
from outreach.core.private import private_dir

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int_or_none(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    return int(value) if value else None


DATA_DIR = Path(os.environ.get("OUTREACH_DATA_DIR", BASE_DIR / "var"))

# Development or production, and what production asks for (outreach.deployment; the README's
# "Running in production"): production refuses to start without SECRET_KEY.
DEPLOYMENT = deployment.from_environment(os.environ, DATA_DIR)
OUTREACH_ENV = DEPLOYMENT.mode

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = DEPLOYMENT.secret_key
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "outreach.core",
    "outreach.intake",
    "outreach.casework",
    "outreach.privacy",
    "outreach.cadence",
    "outreach.messaging",
    "outreach.messaging.inbound",
    "outreach.messaging.printing",
    "outreach.reporting",
    "outreach.desk",
    "outreach.demo",
    "outreach.simulation",
]

MIDDLEWARE = [
    # First, so that every answer passes it last: none is kept by a browser or a proxy.
    "outreach.core.middleware.NoStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "outreach.urls"
WSGI_APPLICATION = "outreach.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'outreach.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Names and BSNs: the folder is the service's only (the file too: outreach.core.private).
    private_dir(DATA_DIR)
    # The embedded default: wait for the writer instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 30}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Password guessing (django-axes): OUTREACH_LOGIN_FAILURE_LIMIT failed logins for one account,
# or from one address, lock it for OUTREACH_LOGIN_COOLOFF_MINUTES; each further try starts the
# cool-off again. The attempts are rows in the database (SQLite or PostgreSQL), shared by every
# process; failures are logged with the username and address, never the password.
AXES_FAILURE_LIMIT = DEPLOYMENT.login_failure_limit
AXES_COOLOFF_TIME = timedelta(minutes=DEPLOYMENT.login_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "outreach.core.login_throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "outreach.core.login_throttle.client_address"
# Its log lines name the username and address (the password never; axes masks it always) and
# leave out the user agent; no start-up line in every command.
AXES_SENSITIVE_PARAMETERS: list[str] = []
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "casework:queue"
LOGOUT_REDIRECT_URL = "login"

# --- Single sign-on (OpenID Connect; outreach.core.sso, outreach.core.oidc) ----------------
# On when OIDC_RP_CLIENT_ID is set. The provider's endpoints come from its discovery document
# (OIDC_OP_DISCOVERY, e.g. https://login.example.nl/realms/gemeente/.well-known/openid-configuration)
# or each from the environment (then OIDC_OP_ISSUER too).
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_DISCOVERY = os.environ.get("OIDC_OP_DISCOVERY", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid profile email")
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
OIDC_TOKEN_USE_BASIC_AUTH = env_bool("OIDC_TOKEN_USE_BASIC_AUTH", False)
OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT", "10"))  # seconds per request to the provider
OIDC_VERIFY_SSL = env_bool("OIDC_VERIFY_SSL", True)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
# The name on the login button ("Inloggen via <name>").
OUTREACH_OIDC_PROVIDER_NAME = os.environ.get("OUTREACH_OIDC_PROVIDER_NAME", "")
# The claim with the person's groups (a dotted path for nested claims) and what each group grants
# here, as JSON: {"<group>": {"role": "caseworker", "municipalities": ["0363"]}, ...}.
OUTREACH_OIDC_GROUPS_CLAIM = os.environ.get("OUTREACH_OIDC_GROUPS_CLAIM", "groups")
OUTREACH_OIDC_GROUP_MAP = os.environ.get("OUTREACH_OIDC_GROUP_MAP", "")
# The claim that names a person for good (her username here).
OUTREACH_OIDC_USERNAME_CLAIM = os.environ.get("OUTREACH_OIDC_USERNAME_CLAIM", "sub")
# Logging out here ends the session at the provider too (its end-session endpoint).
OUTREACH_OIDC_LOGOUT_AT_PROVIDER = env_bool("OUTREACH_OIDC_LOGOUT_AT_PROVIDER", False)
# Local accounts (username and password) keep logging in unless this is off and single sign-on
# is on.
OUTREACH_LOCAL_LOGIN = env_bool("OUTREACH_LOCAL_LOGIN", True)
AUTHENTICATION_BACKENDS = [
    # First: a locked account or address is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    *(
        ["django.contrib.auth.backends.ModelBackend"]
        if OUTREACH_LOCAL_LOGIN or not OIDC_RP_CLIENT_ID
        else []
    ),
    *(["outreach.core.oidc.OIDCBackend"] if OIDC_RP_CLIENT_ID else []),
]

LANGUAGE_CODE = "nl"
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# Request bodies. Django's own limit (2.5 MB) holds for forms; the partner API reads its body
# itself up to OUTREACH_API_MAX_BYTES and takes at most OUTREACH_API_MAX_SIGNALS signals a
# request (a large partner sends thousands a month to one municipality); Twilio's webhooks are
# a few KB, and a larger body is refused before it is read or its signature checked.
OUTREACH_API_MAX_BYTES = int(os.environ.get("OUTREACH_API_MAX_BYTES", str(20 * 1024 * 1024)))
OUTREACH_API_MAX_SIGNALS = int(os.environ.get("OUTREACH_API_MAX_SIGNALS", "10000"))
OUTREACH_WEBHOOK_MAX_BYTES = int(os.environ.get("OUTREACH_WEBHOOK_MAX_BYTES", str(64 * 1024)))
# An intake report (API answer, import-signals, import-clients/-register) lists at most this
# many rejections and warnings, with their totals.
OUTREACH_REPORT_MAX_LISTED = int(os.environ.get("OUTREACH_REPORT_MAX_LISTED", "100"))

STATIC_URL = "static/"
# Outside the private data folder in production, so that the web server may read it (the admin's
# CSS and scripts only; no personal data).
STATIC_ROOT = Path(os.environ.get("OUTREACH_STATIC_ROOT", DATA_DIR / "static"))
# The process's umask keeps every file it makes private (outreach.core.private); the static files
# alone are for the web server's user to read.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}

# HTTPS (in production by default; behind a TLS proxy with OUTREACH_BEHIND_TLS_PROXY=1).
SECURE_SSL_REDIRECT = DEPLOYMENT.ssl_redirect
SECURE_HSTS_SECONDS = DEPLOYMENT.hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = DEPLOYMENT.hsts_include_subdomains
SECURE_HSTS_PRELOAD = DEPLOYMENT.hsts_preload
SECURE_PROXY_SSL_HEADER = DEPLOYMENT.proxy_ssl_header
OUTREACH_BEHIND_TLS_PROXY = DEPLOYMENT.behind_tls_proxy
CSRF_TRUSTED_ORIGINS = DEPLOYMENT.csrf_trusted_origins
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = DEPLOYMENT.secure_cookies
CSRF_COOKIE_SECURE = DEPLOYMENT.secure_cookies
# A session lasts a working day (OUTREACH_SESSION_HOURS) and ends when the browser closes.
SESSION_COOKIE_AGE = DEPLOYMENT.session_seconds
SESSION_EXPIRE_AT_BROWSER_CLOSE = DEPLOYMENT.session_ends_with_browser

# Celery: Redis when REDIS_URL is set, otherwise tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE

# Where the weighing framework (afwegingskader) and campaigns live.
CAMPAIGNS_DIR = Path(os.environ.get("OUTREACH_CAMPAIGNS_DIR", BASE_DIR / "campaigns"))
OUTREACH_TEMPLATES_DIR = Path(os.environ.get("OUTREACH_TEMPLATES_DIR", BASE_DIR / "templates"))

# Signals below this amount (EUR) are not followed up unless the municipality sets its own
# threshold for the partner type; crisis signals are never filtered.
OUTREACH_DEFAULT_THRESHOLD = int(os.environ.get("OUTREACH_DEFAULT_THRESHOLD", "50"))
# Days of arrears (signal date minus ontstaansdatum) outside these bounds make a signal
# "onterecht" unless the municipality sets its own (Municipality.arrears_days); empty: no bound.
OUTREACH_ARREARS_DAYS_MIN = env_int_or_none("OUTREACH_ARREARS_DAYS_MIN")
OUTREACH_ARREARS_DAYS_MAX = env_int_or_none("OUTREACH_ARREARS_DAYS_MAX")

# Pluggable screening sources (dotted paths to classes).
OUTREACH_CLIENT_SOURCE = os.environ.get(
    "OUTREACH_CLIENT_SOURCE", "outreach.intake.sources.LocalDebtHelpClients"
)
OUTREACH_POPULATION_REGISTER = os.environ.get(
    "OUTREACH_POPULATION_REGISTER", "outreach.intake.sources.LocalPopulationRegister"
)

# The BSN is stored encrypted, beside a keyed blind index for the screening sources' lookups
# (outreach.core.bsn): one or more url-safe base64 keys of 32 bytes, comma-separated; the first
# encrypts, all decrypt. Without it the embedded default keeps a generated key in the data
# directory; production (outreach.deployment) refuses to start without it.
OUTREACH_BSN_KEY = os.environ.get("OUTREACH_BSN_KEY", "").strip()
OUTREACH_BSN_KEY_FILE = DATA_DIR / "bsn.key"
if not OUTREACH_BSN_KEY and DEPLOYMENT.production:
    raise ImproperlyConfigured(
        "OUTREACH_BSN_KEY is not set: production (DATABASE_URL set, or OUTREACH_ENV=production) "
        "stores BSNs "
        "encrypted under this key and does not start without it. Make one with: python -c "
        '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())", '
        "keep it in the secret store and back it up (README, 'Running in production': Keys)"
    )

# Raw input and personal data are kept this many days, then anonymised.
OUTREACH_RETENTION_DAYS = int(os.environ.get("OUTREACH_RETENTION_DAYS", "183"))

# The audit log (who viewed or changed which case, person, signal or text: outreach.core.audit)
# is kept this many days, and never shorter than a municipality's own retention period. Two
# years by default: a question about who saw or changed someone's file (a request under the
# AVG, a complaint, a suspected breach) often comes after the data itself has been anonymised,
# and the log holds no citizen's data (object numbers and staff usernames), so keeping it
# longer than the data costs little privacy.
OUTREACH_AUDIT_RETENTION_DAYS = int(os.environ.get("OUTREACH_AUDIT_RETENTION_DAYS", "730"))

# django-axes' records of logins (the attempts that count towards a lock, the failure log and
# the log of logins) are removed after this many days. They name staff usernames and addresses:
# personal data, kept only as long as their purpose needs. The lock needs its cool-off
# (minutes, and never less is removed); a month is time enough to notice and look into a
# burst of guessing or a login from an odd address, which is what the logs are for.
OUTREACH_LOGIN_LOG_RETENTION_DAYS = deployment.env_count(
    os.environ, "OUTREACH_LOGIN_LOG_RETENTION_DAYS", 30, least=1
)

# The DDAS export's codeGegevensleverancier: the code of whoever supplies the data (the software
# supplier or the host) to the national monitor.
OUTREACH_DDAS_SUPPLIER_CODE = os.environ.get("OUTREACH_DDAS_SUPPLIER_CODE", "outreach")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# The cadence engine (outreach.cadence): the minute tick claims due steps in batches and
# enqueues them, `OUTREACH_STEP_BATCH` step ids a task. A claimed step whose task never ran is
# claimed again after the lease.
OUTREACH_STEP_BATCH = int(os.environ.get("OUTREACH_STEP_BATCH", "200"))
OUTREACH_TICK_LIMIT = int(os.environ.get("OUTREACH_TICK_LIMIT", "100000"))
OUTREACH_STEP_LEASE_SECONDS = int(os.environ.get("OUTREACH_STEP_LEASE_SECONDS", "600"))
# A message is committed as `sending` before its hand-over; a hand-over whose result is still
# missing this many seconds later is looked up at its transport, never resent blindly.
OUTREACH_SEND_LEASE_SECONDS = int(os.environ.get("OUTREACH_SEND_LEASE_SECONDS", "300"))
# A transient transport error postpones the step: 1, 2, 4 ... minutes, then the failure path.
OUTREACH_MAX_RETRIES = int(os.environ.get("OUTREACH_MAX_RETRIES", "6"))
# Escalate a case this many days before its deadline (crisis: working days) when it has had no
# personal attempt and no offer.
OUTREACH_ESCALATE_DAYS = int(os.environ.get("OUTREACH_ESCALATE_DAYS", "7"))
OUTREACH_ESCALATE_CRISIS_WORKING_DAYS = int(
    os.environ.get("OUTREACH_ESCALATE_CRISIS_WORKING_DAYS", "1")
)
# Nothing waits forever. A help offer without a registered answer goes on the at-risk list
# after this many working days in the offer state, and closes after this many more ("Geen
# reactie na eerder contact"; an accepted offer: "Vervolghulp en/of verwijzing financieel").
OUTREACH_OFFER_AT_RISK_WORKING_DAYS = int(
    os.environ.get("OUTREACH_OFFER_AT_RISK_WORKING_DAYS", "5")
)
OUTREACH_OFFER_CLOSE_WORKING_DAYS = int(os.environ.get("OUTREACH_OFFER_CLOSE_WORKING_DAYS", "10"))
# A call or visit not made by the end of the case's outreach window (this many days after the
# deadline or the campaign's last step, whichever is later) expires: not performed.
OUTREACH_WINDOW_DAYS = int(os.environ.get("OUTREACH_WINDOW_DAYS", "7"))
# How long the dashboard's figures are kept for the page and its CSV downloads (0: never).
OUTREACH_DASHBOARD_CACHE_SECONDS = int(os.environ.get("OUTREACH_DASHBOARD_CACHE_SECONDS", "300"))
# Calls and visits a team can make a day, unless the municipality sets its own.
OUTREACH_DEFAULT_CAPACITY = {
    "phone": int(os.environ.get("OUTREACH_PHONE_CAPACITY", "40")),
    "visit": int(os.environ.get("OUTREACH_VISIT_CAPACITY", "12")),
}
OUTREACH_PLANNING_DAYS = int(os.environ.get("OUTREACH_PLANNING_DAYS", "15"))
# Simulations from the dashboard (outreach.simulation.runs): at most this many signals a run,
# and a run without progress for this many minutes counts as interrupted (its process stopped).
OUTREACH_SIMULATE_MAX_SIGNALS = int(os.environ.get("OUTREACH_SIMULATE_MAX_SIGNALS", "20000"))
OUTREACH_SIMULATE_STALE_MINUTES = int(os.environ.get("OUTREACH_SIMULATE_STALE_MINUTES", "30"))
# Where messages go, by transport name (outreach.messaging.transports.registry): the default
# file outbox ("outbox": OUTREACH_OUTBOX_FILE, `outreach outbox`) sends nothing; every channel
# not named in OUTREACH_TRANSPORTS uses OUTREACH_TRANSPORT.
OUTREACH_TRANSPORT = os.environ.get("OUTREACH_TRANSPORT", "outbox")
# Per channel ("sms", "whatsapp", "email", "letter"): the transport's name, as JSON, e.g.
# {"sms": "twilio-sms", "whatsapp": "twilio-whatsapp", "letter": "print-house", "email": "email"}.
OUTREACH_TRANSPORTS: dict[str, str] = json.loads(os.environ.get("OUTREACH_TRANSPORTS", "{}"))
# Message templates run in a sandbox (outreach.messaging.texts.rendering): a template's source is at
# most this many bytes, a rendered text at most this many characters and a render takes at
# most this many seconds; a letter PDF has at most this many pages.
OUTREACH_TEMPLATE_MAX_BYTES = int(os.environ.get("OUTREACH_TEMPLATE_MAX_BYTES", "100000"))
OUTREACH_RENDER_MAX_CHARS = int(os.environ.get("OUTREACH_RENDER_MAX_CHARS", "200000"))
OUTREACH_RENDER_TIMEOUT = float(os.environ.get("OUTREACH_RENDER_TIMEOUT", "2"))
OUTREACH_LETTER_MAX_PAGES = int(os.environ.get("OUTREACH_LETTER_MAX_PAGES", "10"))
# Texts per municipality (outreach.messaging.texts.versions): publishing a shared default text
# takes two people, one who proposes and another who approves (a municipality's own texts follow
# its `Municipality.texts_four_eyes`).
OUTREACH_SHARED_TEXTS_FOUR_EYES = env_bool("OUTREACH_SHARED_TEXTS_FOUR_EYES", True)

# Twilio (SMS and WhatsApp) and the public address Twilio calls back on (behind a proxy).
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
OUTREACH_PUBLIC_BASE_URL = os.environ.get("OUTREACH_PUBLIC_BASE_URL", "")

# --- Citizens' replies (outreach.messaging.inbound) ---------------------------------------
# The keyword grammar per language (intents/<lang>.toml), how many words may follow a keyword
# for the reply still to count as that keyword, and the longest body stored (Twilio delivers
# at most 1,600 characters for SMS, 4,096 for WhatsApp; longer is cut).
OUTREACH_INBOUND_INTENTS_DIR = Path(
    os.environ.get(
        "OUTREACH_INBOUND_INTENTS_DIR", BASE_DIR / "outreach" / "messaging" / "inbound" / "intents"
    )
)
OUTREACH_INBOUND_EXTRA_WORDS = int(os.environ.get("OUTREACH_INBOUND_EXTRA_WORDS", "2"))
OUTREACH_INBOUND_MAX_BODY = int(os.environ.get("OUTREACH_INBOUND_MAX_BODY", "5000"))

# --- SMS and WhatsApp through Twilio (outreach.messaging.transports.twilio) ------------------
# Enable per channel: OUTREACH_TRANSPORTS='{"sms": "twilio-sms", "whatsapp": "twilio-whatsapp"}'.
# The SMS sender: a Messaging Service (MG...), or a number / alphanumeric id; or a pool of
# senders (JSON list) from which each reader always gets the same one.
OUTREACH_TWILIO_MESSAGING_SERVICE_SID = os.environ.get("OUTREACH_TWILIO_MESSAGING_SERVICE_SID", "")
OUTREACH_TWILIO_FROM = os.environ.get("OUTREACH_TWILIO_FROM", "")
OUTREACH_TWILIO_SENDERS: list[str] = json.loads(os.environ.get("OUTREACH_TWILIO_SENDERS", "[]"))
# WhatsApp: the sender ("whatsapp:+3197..."; else the Messaging Service), the approved templates'
# Content SIDs ({"whatsapp": {"nl": "HX...", "en": "HX..."}}, or {"nl": "HX..."} for the
# first-contact text) and which context values fill their variables {{1}}, {{2}}, ...
OUTREACH_TWILIO_WHATSAPP_FROM = os.environ.get("OUTREACH_TWILIO_WHATSAPP_FROM", "")
OUTREACH_TWILIO_WHATSAPP_CONTENT_SIDS: dict[str, object] = json.loads(
    os.environ.get("OUTREACH_TWILIO_WHATSAPP_CONTENT_SIDS", "{}")
)
OUTREACH_TWILIO_WHATSAPP_VARIABLES: list[str] = json.loads(
    os.environ.get(
        "OUTREACH_TWILIO_WHATSAPP_VARIABLES", '["worker_name", "municipality", "worker_phone"]'
    )
)
# Seconds a request to Twilio may take; requests in flight at once per worker process; another
# API base URL (a local stand-in for the tests and the benchmark; empty: Twilio's).
OUTREACH_TWILIO_TIMEOUT = float(os.environ.get("OUTREACH_TWILIO_TIMEOUT", "10"))
OUTREACH_TWILIO_THREADS = int(os.environ.get("OUTREACH_TWILIO_THREADS", "8"))
OUTREACH_TWILIO_API_URL = os.environ.get("OUTREACH_TWILIO_API_URL", "")
# Seconds Twilio may take to show a new message in its Messages list, after the longest its
# request can take: not found after that, a message whose result was never recorded did not
# reach Twilio (outreach.messaging.transports.twilio.lookup). With a Messaging Service that
# queues messages at its rate, make it longer than that queue lasts.
OUTREACH_TWILIO_LOOKUP_WINDOW = float(os.environ.get("OUTREACH_TWILIO_LOOKUP_WINDOW", "120"))
# Per sender: SMS segments a second (overrides per sender as JSON {"+3197...": 30}) and
# WhatsApp messages a second, shared by all workers through Redis
# (outreach.messaging.transports.ratelimit).
OUTREACH_SMS_RATE = int(os.environ.get("OUTREACH_SMS_RATE", "10"))
OUTREACH_SMS_RATES: dict[str, int] = json.loads(os.environ.get("OUTREACH_SMS_RATES", "{}"))
OUTREACH_WHATSAPP_RATE = int(os.environ.get("OUTREACH_WHATSAPP_RATE", "20"))
OUTREACH_WHATSAPP_RATES: dict[str, int] = json.loads(
    os.environ.get("OUTREACH_WHATSAPP_RATES", "{}")
)
# The longest a message waits for its sender's rate before it is postponed; how far ahead (in
# seconds of hand-overs) a batch takes its messages' segments in one round trip; where the
# windows live (empty: in the process).
OUTREACH_RATE_MAX_WAIT = float(os.environ.get("OUTREACH_RATE_MAX_WAIT", "10"))
OUTREACH_RATE_MARGIN = float(os.environ.get("OUTREACH_RATE_MARGIN", "0.05"))
OUTREACH_RATE_REDIS_URL = os.environ.get("OUTREACH_RATE_REDIS_URL", REDIS_URL)
OUTREACH_RATE_PREFIX = os.environ.get("OUTREACH_RATE_PREFIX", "outreach:rate")
# No message to a phone in these hours (local time; empty: none).
OUTREACH_QUIET_HOURS = os.environ.get("OUTREACH_QUIET_HOURS", "21:00-08:00")

# --- Letters to the print house, e-mail, the file outbox -----------------------------------
# (outreach.messaging.printing, outreach.messaging.transports: email, outbox)
# The file outbox of the embedded default: one JSON line per message.
OUTREACH_OUTBOX_FILE = Path(os.environ.get("OUTREACH_OUTBOX_FILE", DATA_DIR / "outbox.jsonl"))
# The print batches: <OUTREACH_PRINT_DIR>/<YYYY-MM-DD>/<municipality code>-<batch id>.pdf/.csv,
# at most OUTREACH_PRINT_BATCH_MAX letters a batch (more make several batches). The hand-over
# hook (a dotted path to hook(batch, pdf_path, csv_path), e.g. an upload) runs once the files
# are in the folder; empty: the folder is the hand-over.
OUTREACH_PRINT_DIR = Path(os.environ.get("OUTREACH_PRINT_DIR", DATA_DIR / "print"))
OUTREACH_PRINT_BATCH_MAX = int(os.environ.get("OUTREACH_PRINT_BATCH_MAX", "500"))
OUTREACH_PRINT_HANDOVER = os.environ.get("OUTREACH_PRINT_HANDOVER", "")
# E-mail (EmailTransport): Django's backends, SMTP unless EMAIL_BACKEND says otherwise. From:
# OUTREACH_EMAIL_FROM (the municipality's name shown), else the municipality's contact address.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
OUTREACH_EMAIL_FROM = os.environ.get("OUTREACH_EMAIL_FROM", "")

# --- The schedule and the queues ------------------------------------------------------------
# One schedule for both modes: `celery beat` sends these entries; without a broker the embedded
# scheduler (outreach.cadence.periodic, in `outreach serve`) runs the same entries in-process.
# Every scheduled task takes `now_iso` (None: the real time). Each piece of periodic work is a
# task of its own, so one that fails skips none of the others. The README's "Schedule and
# queues" lists them.
OUTREACH_TICK_SECONDS = float(os.environ.get("OUTREACH_TICK_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    # The engine: claim new cases and due steps, hand them to the engine queue.
    "cadence-tick": {"task": "outreach.cadence.tasks.tick", "schedule": OUTREACH_TICK_SECONDS},
    # Housekeeping, every ten minutes. Partner feedback comes last: in-process runs (`outreach
    # tick`, the demo's history) follow this order, so it sees the cases the others just closed.
    "casework-offers": {
        "task": "outreach.casework.tasks.follow_up_offers",
        "schedule": crontab(minute="*/10"),
    },
    "cadence-escalation": {
        "task": "outreach.cadence.tasks.escalate",
        "schedule": crontab(minute="*/10"),
    },
    "cadence-expiry": {
        "task": "outreach.cadence.tasks.expire",
        "schedule": crontab(minute="*/10"),
    },
    "casework-capacity": {
        "task": "outreach.casework.tasks.plan_capacity",
        "schedule": crontab(minute="*/10"),
    },
    # The audit log's own retention: an indexed DELETE that most runs finds nothing to do, so
    # it sweeps with the others rather than keep a clock of its own.
    "audit-retention": {
        "task": "outreach.core.tasks.purge_audit_log",
        "schedule": crontab(minute="*/10"),
    },
    # Django-axes' login records: their own retention, an indexed DELETE like the audit log's.
    "login-log-retention": {
        "task": "outreach.core.tasks.purge_login_log",
        "schedule": crontab(minute="*/10"),
    },
    "reporting-feedback": {
        "task": "outreach.reporting.tasks.record_feedback",
        "schedule": crontab(minute="*/10"),
    },
    # Answers and resends whose hand-over was cut off: looked up, never resent blindly (the
    # engine settles a campaign's own when the tick claims their steps again).
    "messaging-reconcile": {"task": "outreach.messaging.tasks.reconcile", "schedule": 60.0},
    # Slow work, on its own queue.
    "print-batches": {
        "task": "outreach.messaging.printing.tasks.print_batches",
        "schedule": crontab(hour=15, minute=0, day_of_week="mon-fri"),  # holidays: the task skips
    },
    "anonymise-expired-data": {
        "task": "outreach.privacy.tasks.anonymise_expired_data",
        "schedule": crontab(hour=2, minute=30),
    },
}
# The queues: a worker started without --queues consumes all of them; the Procfile runs one
# worker per queue.
# tick: the minute tick alone, so it runs on time however many sends wait.
# engine: the sends and the starts of new cases, which the tick hands over.
# housekeeping: the ten-minute sweeps. slow: PDF print batches, anonymisation, and the
# simulations supervisors start from the dashboard.
CELERY_TASK_QUEUES = [Queue("tick"), Queue("engine"), Queue("housekeeping"), Queue("slow")]
CELERY_TASK_DEFAULT_QUEUE = "engine"
CELERY_TASK_ROUTES = {
    "outreach.cadence.tasks.tick": {"queue": "tick"},
    "outreach.cadence.tasks.start_cases": {"queue": "engine"},
    "outreach.cadence.tasks.execute_steps": {"queue": "engine"},
    "outreach.messaging.tasks.reconcile": {"queue": "engine"},
    "outreach.casework.tasks.follow_up_offers": {"queue": "housekeeping"},
    "outreach.cadence.tasks.escalate": {"queue": "housekeeping"},
    "outreach.cadence.tasks.expire": {"queue": "housekeeping"},
    "outreach.casework.tasks.plan_capacity": {"queue": "housekeeping"},
    "outreach.reporting.tasks.record_feedback": {"queue": "housekeeping"},
    "outreach.core.tasks.purge_audit_log": {"queue": "housekeeping"},
    "outreach.core.tasks.purge_login_log": {"queue": "housekeeping"},
    "outreach.messaging.printing.tasks.print_batches": {"queue": "slow"},
    "outreach.privacy.tasks.anonymise_expired_data": {"queue": "slow"},
    "outreach.simulation.tasks.run_simulation": {"queue": "slow"},
}
