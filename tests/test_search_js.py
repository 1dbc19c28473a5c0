"""The search client's JavaScript tests (tests/js/*.test.mjs, run by `node --test`), so that one
`python -m pytest` runs them too. Without Node they are skipped with the reason, except under
CI=true, where a missing Node fails the run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from browser import skip_or_fail

REPO = Path(__file__).resolve().parent.parent
JS_TESTS = REPO / "tests" / "js"


def test_node_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        skip_or_fail("node not found: the search client's tests in tests/js/ need Node.js 18 or later")
    files = sorted(JS_TESTS.glob("*.test.mjs"))
    assert files, f"no *.test.mjs files in {JS_TESTS}"
    # Files are named rather than the folder: `node --test DIR` also runs helpers such as replay.mjs.
    result = subprocess.run([node, "--test", *map(str, files)], cwd=REPO, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, f"node --test failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    assert "# fail 0" in result.stdout, result.stdout[-3000:]
