"""Exceptions in logs without their text: the text of an exception raised while sending may
hold a phone number, an address or a message (a provider's error echoes the request)."""

import traceback
from pathlib import Path


def exception_summary(exc: BaseException) -> str:
    """'ValueError (code 21211) at transport.py:312 in deliver': the type, a provider's error
    code where the exception has one, and where it was raised; never str(exc)."""
    summary = type(exc).__name__
    code = getattr(exc, "code", None)
    if isinstance(code, (int, str)) and str(code).isascii() and str(code).isdigit():
        summary += f" (code {code})"
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    if frames:
        last = frames[-1]
        summary += f" at {Path(last.filename).name}:{last.lineno} in {last.name}"
    return summary
