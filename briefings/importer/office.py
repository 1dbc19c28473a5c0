"""WPS and old Word files (.wps, .doc, .rtf, .odt) → .docx through LibreOffice, when it is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CONVERTIBLE = frozenset({".doc", ".wps", ".wpt", ".dot", ".rtf", ".odt"})
TIMEOUT = 120  # seconds: LibreOffice converts a long document in a few


class OfficeError(Exception):
    pass


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(file: Path) -> bytes:
    """The file converted by ``soffice --headless --convert-to docx`` into a temporary folder."""
    program = soffice()
    if program is None:
        raise OfficeError(
            f"{file.suffix} files are converted with LibreOffice, which is not installed: install it "
            "(Debian/Ubuntu: apt-get install libreoffice-writer-nogui; other systems: libreoffice.org), "
            "or open the file in WPS or Word and save it as .docx")
    with tempfile.TemporaryDirectory(prefix="briefings-import-") as folder:
        # A profile of its own: a running LibreOffice of the user's would otherwise take the job over.
        profile = Path(folder, "profile").as_uri()
        command = [program, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx",
                   "--outdir", folder, str(file.resolve())]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise OfficeError(f"LibreOffice took more than {TIMEOUT} s to convert it: "
                              "open it in WPS or Word and save it as .docx") from None
        except OSError as exc:
            raise OfficeError(f"could not run LibreOffice ({program}): {exc}") from None
        out = Path(folder, file.stem + ".docx")
        if done.returncode != 0 or not out.is_file():
            said = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
            raise OfficeError("LibreOffice could not convert it" + (f" ({said[-1]})" if said else "")
                              + ": open it in WPS or Word and save it as .docx")
        return out.read_bytes()
