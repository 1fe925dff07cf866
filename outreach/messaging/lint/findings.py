"""What the linter reports: one finding per problem, with the line of the template it is on."""

from dataclasses import dataclass
from typing import Any

ERROR, WARNING = "error", "warning"
LEVELS = (ERROR, WARNING)


@dataclass(frozen=True)
class Finding:
    template: str  # the template's name ("first_single"), or what its path says
    lang: str
    level: str  # "error" or "warning"
    rule: str  # e.g. "sentence-length", "jargon", "missing-element", "sms-segments"
    line: int  # 1-based line of the source; 1 for a finding about the whole text
    message: str
    file: str = ""  # the file it came from (lint_paths); not part of as_dict()

    def as_dict(self) -> dict[str, Any]:
        """The `--json` shape: template, lang, level, rule, line, message."""
        return {
            "template": self.template,
            "lang": self.lang,
            "level": self.level,
            "rule": self.rule,
            "line": self.line,
            "message": self.message,
        }

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


def has_errors(findings: list[Finding]) -> bool:
    return any(finding.is_error for finding in findings)
