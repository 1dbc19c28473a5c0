"""The deployment examples in examples/: CI workflows that keep .briefings-cache/, and an nginx
configuration that serves a site under /wjw/ with the cache headers the search files need."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from sitebuilder import make_site

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def test_github_pages_workflow_restores_and_saves_the_cache_around_the_build():
    workflow = yaml.safe_load((EXAMPLES / "github-pages.yml").read_text("utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    uses = [step.get("uses", step.get("run", "")) for step in steps]
    restore = next(i for i, u in enumerate(uses) if u.startswith("actions/cache/restore"))
    build = next(i for i, u in enumerate(uses) if u.startswith("briefings build"))
    save = next(i for i, u in enumerate(uses) if u.startswith("actions/cache/save"))
    assert restore < build < save
    assert steps[restore]["with"]["path"] == steps[save]["with"]["path"] == ".briefings-cache"
    assert steps[save]["with"]["key"] == steps[restore]["with"]["key"]
    assert "--base-url" in uses[build]
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "public"
    assert workflow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages")


def test_gitlab_pages_job_caches_the_build_cache_and_publishes_public():
    job = yaml.safe_load((EXAMPLES / "gitlab-pages.yml").read_text("utf-8"))["pages"]
    assert job["cache"]["paths"] == [".briefings-cache/"]
    assert job["artifacts"]["paths"] == ["public"]
    assert any(line.startswith("briefings build") and "$CI_PAGES_URL" in line for line in job["script"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _head(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=5) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}


def test_the_nginx_example_serves_a_site_under_a_sub_path(tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)
    if nginx is None:
        pytest.skip("nginx not installed (apt-get install nginx-light): the example is checked by hand only")
    site = make_site(tmp_path, "-- content/a.md --\n---\ntitle: 主任办公会\ndate: 2024-01-01\n---\n正文。\n",
                     config='title = "简报"\nbase_url = "https://example.gov.cn/wjw/"\n')
    assert site.build().ok
    www = tmp_path / "srv" / "www"
    shutil.copytree(site.out, www / "wjw")
    port = _free_port()
    conf = tmp_path / "nginx.conf"
    logs = tmp_path / "logs"
    logs.mkdir()
    example = (EXAMPLES / "nginx.conf").read_text("utf-8").replace("/srv/www", str(www))
    temp = " ".join(f"{kind}_temp_path {logs};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # (user: workers read the test's private temporary folder; ignored unless nginx starts as root)
    conf.write_text(f"""daemon off; user root; worker_processes 1; pid {tmp_path}/nginx.pid; error_log {logs}/error.log;
events {{ worker_connections 32; }}
http {{ include /etc/nginx/mime.types; default_type application/octet-stream; access_log off; {temp}
  server {{ listen 127.0.0.1:{port};
{example}
  }}
}}
""", encoding="utf-8")
    server = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path)], stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:  # until nginx answers
            try:
                status, _ = _head(base + "/wjw/")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()  # type: ignore[union-attr]
                time.sleep(0.05)
        assert status == 200
        bin_file = next((www / "wjw" / "search" / "f").rglob("*.bin")).relative_to(www).as_posix()
        mjs = next((www / "wjw" / "static").glob("search-core.*.mjs")).relative_to(www).as_posix()
        forever = "public, max-age=31536000, immutable"
        expected = {
            "/wjw/": (200, "no-cache", "text/html"),
            "/wjw/2024/01/zhu-ren-ban-gong-hui/": (200, "no-cache", "text/html"),
            "/wjw/search/entry.json": (200, "no-cache", "application/json"),
            "/" + bin_file: (200, forever, "application/octet-stream"),
            "/" + mjs: (200, forever, "text/javascript"),
            "/robots.txt": (200, None, "text/plain"),
            "/wjw/nowhere/": (404, "no-cache", "text/html"),
        }
        for path, (want_status, cache, kind) in expected.items():
            status, headers = _head(base + path)
            assert status == want_status, path
            assert headers.get("cache-control") == cache, path
            assert headers["content-type"].startswith(kind), path
            assert "content-encoding" not in headers, path
    finally:
        server.terminate()
        server.wait(timeout=10)
