"""Every CSV the package writes goes through outreach.core.csvsafe: a module that makes a csv
module writer itself (`csv.writer`, `csv.DictWriter`, `from csv import writer`) fails here
unless it is one of the listed exceptions, each with its reason.

What this does not catch: CSV lines joined by hand (`";".join(...)`) in a new module. The one
module that does so today (the sample data's fast path) is an exception below."""

import ast
from pathlib import Path

import outreach

PACKAGE = Path(outreach.__file__).parent
WRITERS = {"writer", "DictWriter"}
# Module (relative to the package) -> why it may write CSV without csvsafe.
EXCEPTIONS = {
    # The wrapper itself.
    "core/csvsafe.py": "it is csvsafe",
    # Invented partner deliveries (signals, register, clients) that the intake and the demo
    # read back as input: a ' before "+31 6 ..." would change the data. Nothing in them comes
    # from outside; they are not exports for people.
    "demo/sample_data.py": "input files the system reads back, made-up data only",
}


def csv_writers(path: Path) -> list[int]:
    """The lines where `path` makes a csv module writer."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules = {"csv"}  # names the csv module goes by here
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == "csv"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "csv":
            lines += [node.lineno for alias in node.names if alias.name in WRITERS]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in WRITERS
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            lines.append(node.lineno)
    return lines


def test_no_module_writes_csv_around_csvsafe():
    offenders = {
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in PACKAGE.rglob("*.py")
        if str(path.relative_to(PACKAGE)) not in EXCEPTIONS
        for line in csv_writers(path)
    }
    assert not offenders, f"write CSV with outreach.core.csvsafe.writer: {sorted(offenders)}"


def test_the_exceptions_still_write_csv():
    # A stale exception would let a later writer in that module through unseen.
    assert all(csv_writers(PACKAGE / module) for module in EXCEPTIONS)


def test_the_check_finds_each_way_of_making_a_writer(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import csv\nimport csv as c\nfrom csv import DictWriter\n"
        "a = csv.writer(x)\nb = c.DictWriter(x, [])\nc.reader(x)\n"
    )
    assert sorted(csv_writers(sample)) == [3, 4, 5]
