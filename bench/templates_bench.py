"""Template rendering and letter PDFs (issue: templates and letters).

    python -m bench.templates_bench [--seconds N]

Prints one JSON line:
- `sms_per_second`: the shipped SMS invitation (each reader's language, Dutch where it is
  missing) through `render_text` on one core, with 1,000 different readers' contexts and
  the compile cached; `baseline_sms_per_second` is the same template and contexts through a
  bare `ImmutableSandboxedEnvironment().from_string(src).render(ctx)` (compiled once) in the
  same run, and `sms_ratio` ours / bare.
- `pdfs_per_second`: the shipped first letter (Dutch, one A4 page) through
  `render_letter_pdf` in one process.
- `lint_ms`: one `outreach.messaging.lint.lint_template` of that letter (`lint_first_ms`: the
  first in the process).
"""

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")

ROOT = Path(__file__).resolve().parent.parent
SMS_NAME, LETTER_NAME = "invitation", "first_single"
FIRST_NAMES = ["J.", "A.", "M.", "S.", "K.", "F.", "E.", "Y."]
SURNAMES = ["de Vries", "Jansen", "Yilmaz", "El Amrani", "Kowalski", "Kovalenko", "Bakker"]


def shipped(folder: str, name: str, lang: str, suffix: str) -> str | None:
    path = ROOT / "templates" / folder / name / f"{lang}.{suffix}"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def shipped_letter() -> str:
    source = shipped("letters", LETTER_NAME, "nl", "html")
    assert source is not None, f"templates/letters/{LETTER_NAME}/nl.html is missing"
    return source


def contexts(count: int) -> list[tuple[str, dict[str, Any]]]:
    from outreach.messaging.texts.catalogue import LANGUAGES
    from outreach.messaging.texts.context import SAMPLE_MUNICIPALITY, build_context

    made = []
    for number in range(count):
        lang = LANGUAGES[number % len(LANGUAGES)]
        name = f"{FIRST_NAMES[number % 8]} {SURNAMES[number % 7]}"
        context = build_context(
            lang=lang,
            name=name,
            address_lines=[name, f"Kerkstraat {number % 300 + 1}", "3511 AB  VOORBEELDSTAD"],
            today=date(2026, 12, 3),
            reference=f"9999-{number:06d}",
            worker_name=["Sanne Bakker", "Ahmed Benali", "Iris de Boer"][number % 3],
            worker_phone=f"020 123 {number % 10000:04d}",
            reply_number="06 1234 5678",
            partner_types=[["Energie"], ["Huur", "Water"], ["Zorg"]][number % 3],
            municipality=SAMPLE_MUNICIPALITY,
        )
        made.append((lang, context.as_dict()))
    return made


def rate(work: Callable[[int], None], seconds: float) -> tuple[float, int]:
    """Calls per second of work(i) for about `seconds` (after a short warm-up)."""
    for number in range(50):
        work(number)
    done = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(100):
            work(done)
            done += 1
        if time.perf_counter() >= deadline:
            break
    return done / (time.perf_counter() - started), done


def bench_sms(seconds: float) -> dict[str, Any]:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from outreach.messaging.texts.rendering import render_text

    readers = contexts(1000)
    nl = shipped("sms", SMS_NAME, "nl", "txt")
    assert nl is not None, f"templates/sms/{SMS_NAME}/nl.txt is missing"
    sources = {lang: shipped("sms", SMS_NAME, lang, "txt") or nl for lang, _ in readers}
    jobs = [(sources[lang], lang, context) for lang, context in readers]
    bare_env = ImmutableSandboxedEnvironment()
    bare = {source: bare_env.from_string(source) for source in set(sources.values())}

    def ours(number: int) -> None:
        source, lang, context = jobs[number % 1000]
        render_text(source, context, lang)

    def baseline(number: int) -> None:
        source, _, context = jobs[number % 1000]
        bare[source].render(context)

    ours_rate, ours_count = rate(ours, seconds)
    bare_rate, bare_count = rate(baseline, seconds)
    return {
        "sms_template": f"sms/{SMS_NAME} (languages: {len(set(sources.values()))} sources)",
        "sms_renders": ours_count,
        "sms_per_second": round(ours_rate),
        "baseline_renders": bare_count,
        "baseline_sms_per_second": round(bare_rate),
        "sms_ratio": round(ours_rate / bare_rate, 2),
    }


def bench_pdf(seconds: float) -> dict[str, Any]:
    from io import BytesIO

    from outreach.messaging.texts.pdf import render_letter_pdf

    source = shipped_letter()
    readers = [context for lang, context in contexts(60) if lang == "nl"]
    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(render_letter_pdf(source, readers[0], "nl"))).pages)

    def letter(number: int) -> None:
        render_letter_pdf(source, readers[number % len(readers)], "nl")

    for number in range(3):
        letter(number)
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds or done < 10:
        letter(done)
        done += 1
    elapsed = time.perf_counter() - started
    return {
        "letter": f"letters/{LETTER_NAME}/nl.html",
        "letter_pages": pages,
        "pdfs": done,
        "pdfs_per_second": round(done / elapsed, 1),
        "ms_per_pdf": round(elapsed / done * 1000, 1),
    }


def bench_lint() -> dict[str, Any]:
    """One lint of the letter: the first in a fresh process (which also loads the language's
    word list and hyphenation dictionary), after `warm_up` (as the web process does at start),
    and the mean of 20 more."""
    from outreach.messaging.lint import lint_template, warm_up

    source = shipped_letter()
    started = time.perf_counter()
    lint_template(LETTER_NAME, "nl", source)
    first = time.perf_counter() - started
    started = time.perf_counter()
    warm_up()
    warm = time.perf_counter() - started
    runs = 20
    started = time.perf_counter()
    for _ in range(runs):
        lint_template(LETTER_NAME, "nl", source)
    return {
        "lint_first_ms": round(first * 1000, 1),
        "lint_warm_up_ms": round(warm * 1000, 1),
        "lint_ms": round((time.perf_counter() - started) / runs * 1000, 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    options = parser.parse_args(argv)
    import django

    django.setup()
    result = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {platform.python_version()}, {os.cpu_count()} cores",
        "seconds": options.seconds,
        **bench_sms(options.seconds),
        **bench_pdf(options.seconds),
        **bench_lint(),
    }
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
