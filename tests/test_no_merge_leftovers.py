"""No file of the project keeps the markers of a merge left half-done: a README or template with
"<<<<<<< HEAD" in it reads as nonsense to its users and nothing else would notice."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {".git", ".venv", "var", "bench/work", "node_modules", "test-artifacts", "build"}
SUFFIXES = {".py", ".md", ".html", ".toml", ".txt", ".css", ".js", ".json", ".csv", ".cfg", ""}
MARKERS = ("<<<<<<< ", ">>>>>>> ", "=======\n")


def project_files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT).as_posix()
        if any(relative == s or relative.startswith(s + "/") for s in SKIPPED):
            continue
        if "__pycache__" in path.parts or (path.name.startswith(".") and path.is_file()):
            continue
        if path.is_file() and path.suffix in SUFFIXES:
            found.append(path)
    return found


def test_no_file_holds_merge_conflict_markers() -> None:
    files = project_files()
    assert any(p.name == "README.md" for p in files)  # the walk reaches the project's files
    leftovers = []
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        except UnicodeDecodeError:
            continue  # not text
        for number, line in enumerate(lines, start=1):
            if line.startswith(MARKERS[:2]) or line == MARKERS[2]:
                leftovers.append(f"{path.relative_to(ROOT)}:{number}")
    assert leftovers == []
