"""Each third-party library enters through one module; imports flow one way."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "briefings"
OWNERS = {
    "pypinyin": {"pinyin.py"},
    "opencc": {"search/fold.py"},
    "yaml": {"frontmatter.py", "importer/draft.py"},
    "mammoth": {"importer/word.py"},
    "markdown_it": {"markdown.py", "markdown_cjk.py"},
    "mdit_py_plugins": {"markdown.py"},
    "nh3": {"markdown.py"},
    "jinja2": {"render.py"},
    "watchdog": {"serve/watcher.py"},
}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_each_library_has_one_owner():
    for path in PACKAGE.rglob("*.py"):
        name = path.relative_to(PACKAGE).as_posix()
        for library in imports(path) & OWNERS.keys():
            assert name in OWNERS[library], f"{name} imports {library}; only {OWNERS[library]} may"


def test_model_does_no_io():
    assert imports(PACKAGE / "model.py") <= {"__future__", "datetime", "collections", "dataclasses", "types",
                                              "typing"}
