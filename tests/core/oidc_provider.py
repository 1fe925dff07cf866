"""A minimal OpenID Connect provider on a local port, as strict as a real one where it matters
for the client: it checks the client id, the redirect address, the scope, state, nonce and PKCE
challenge at /authorize; the code (once only), the client secret, the redirect address and the
PKCE verifier at /token; the access token at /userinfo. It signs its ID tokens with RS256 and
publishes the public key at /jwks. Tests change what it says (the person's claims, a wrong key,
a wrong nonce) through its attributes."""

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "outreach-test"
CLIENT_SECRET = "s3cret-of-the-client"
KID = "provider-key-1"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Grant:
    """An authorisation the provider gave at /authorize, waiting to be exchanged at /token."""

    redirect_uri: str
    nonce: str
    challenge: str
    claims: dict[str, Any]


@dataclass
class Provider:
    redirect_uris: list[str]
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    # Who logs in at the next /authorize (the provider's own login is taken as done).
    claims: dict[str, Any] = field(default_factory=dict)
    # What a test changes to make the provider misbehave.
    sign_with: rsa.RSAPrivateKey | None = None  # another key than the published one
    id_token_changes: dict[str, Any] = field(default_factory=dict)  # e.g. {"nonce": "x"}
    userinfo_changes: dict[str, Any] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    refusals: list[str] = field(default_factory=list)  # why the provider said no
    token_requests: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def issuer(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> "Provider":
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                provider.answer_get(self)

            def do_POST(self) -> None:
                provider.answer_post(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    # --- the endpoints -----------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], str]:
        problem = (
            (query.get("response_type") != "code" and "response_type")
            or (query.get("client_id") != CLIENT_ID and "client_id")
            or (query.get("redirect_uri") not in self.redirect_uris and "redirect_uri")
            or ("openid" not in query.get("scope", "").split() and "scope")
            or (not query.get("state") and "state")
            or (not query.get("nonce") and "nonce")
            or (query.get("code_challenge_method") != "S256" and "code_challenge_method")
            or (not query.get("code_challenge") and "code_challenge")
        )
        if problem:
            self.refusals.append(f"authorize: {problem}")
            return 400, {}, f"bad {problem}"
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(
            query["redirect_uri"], query["nonce"], query["code_challenge"], dict(self.claims)
        )
        back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": back}, ""

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        self.token_requests += 1
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            client_id, _, client_secret = (
                base64.b64decode(authorization[6:]).decode().partition(":")
            )
        grant = self.grants.pop(form.get("code", ""), None)  # a code works once
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        problem = (
            (form.get("grant_type") != "authorization_code" and "grant_type")
            or ((client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET) and "client")
            or (grant is None and "code")
            or (grant is not None and form.get("redirect_uri") != grant.redirect_uri and "uri")
            or (grant is not None and challenge != grant.challenge and "code_verifier")
        )
        if problem or grant is None:
            self.refusals.append(f"token: {problem}")
            return 400, {"error": "invalid_grant" if problem != "client" else "invalid_client"}
        now = int(time.time())
        id_token = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": grant.claims["sub"],
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            **self.id_token_changes,
        }
        signed = jwt.encode(
            id_token, self.sign_with or self.key, algorithm="RS256", headers={"kid": KID}
        )
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = grant.claims
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": signed,
        }

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        claims = self.tokens.get(authorization.removeprefix("Bearer "))
        if not authorization.startswith("Bearer ") or claims is None:
            self.refusals.append("userinfo: token")
            return 401, {"error": "invalid_token"}
        return 200, {**claims, **self.userinfo_changes}

    # --- HTTP ----------------------------------------------------------------------------------

    def answer_get(self, request: BaseHTTPRequestHandler) -> None:
        url = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            send_json(request, 200, self.discovery())
        elif url.path == "/jwks":
            send_json(request, 200, self.jwks())
        elif url.path == "/authorize":
            status, headers, body = self.authorize(query)
            request.send_response(status)
            for name, value in headers.items():
                request.send_header(name, value)
            request.end_headers()
            request.wfile.write(body.encode())
        elif url.path == "/userinfo":
            send_json(request, *self.userinfo(request.headers.get("Authorization", "")))
        else:
            send_json(request, 404, {"error": "not_found"})

    def answer_post(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(request.rfile.read(length).decode()).items()}
        if urlsplit(request.path).path == "/token":
            send_json(request, *self.token(form, request.headers.get("Authorization", "")))
        else:
            send_json(request, 404, {"error": "not_found"})


def send_json(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)
