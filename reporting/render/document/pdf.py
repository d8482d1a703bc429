"""The document as PDF, through LibreOffice (``soffice --headless --convert-to pdf``), when it is installed.

Converted in a temporary folder with a throw-away LibreOffice profile (a clerk's open LibreOffice
window would otherwise take the job, or lock the profile), under a timeout, and only then moved
next to the .docx, so a failed or killed conversion leaves no half-written PDF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from reporting.core.errors import ReportingError

TIMEOUT = 120.0  # seconds: a first start of LibreOffice on a slow PC takes 20 to 40
_WINDOWS_PATHS = (r"C:\Program Files\LibreOffice\program\soffice.exe",
                  r"C:\Program Files (x86)\LibreOffice\program\soffice.exe")


class PdfUnavailable(ReportingError):
    """LibreOffice is not installed: the PDF is skipped, the .docx stands."""


class PdfFailed(ReportingError):
    """LibreOffice ran but gave no PDF (or timed out)."""


def find_soffice() -> str | None:
    """The LibreOffice executable: $REPORTING_SOFFICE, then soffice/libreoffice on PATH, then the usual Windows places."""
    env = os.environ.get("REPORTING_SOFFICE")
    if env:
        return env if Path(env).is_file() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    if os.name == "nt":  # pragma: no cover - Windows only
        return next((p for p in _WINDOWS_PATHS if Path(p).is_file()), None)
    return None


def convert_to_pdf(docx: Path, target: Path, *, timeout: float = TIMEOUT) -> Path:
    """Write ``target`` (a .pdf) from ``docx``; raise PdfUnavailable or PdfFailed with a one-line reason."""
    soffice = find_soffice()
    if soffice is None:
        raise PdfUnavailable(key="document.no_soffice")
    with tempfile.TemporaryDirectory(prefix="reporting-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.docx"
        shutil.copyfile(docx, source)
        profile = (work / "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(work), str(source)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfFailed(key="document.pdf_failed", detail=f"timeout {timeout:g}s") from None
        except OSError as exc:
            raise PdfFailed(key="document.pdf_failed", detail=exc.strerror or exc) from None
        made = work / "document.pdf"
        if not made.is_file() or made.stat().st_size == 0:
            detail = (proc.stderr or proc.stdout or b"").decode("utf-8", "replace").strip().splitlines()
            if detail and "source file could not be loaded" in detail[-1]:
                # LibreOffice without its word processor (Debian's libreoffice-calc alone) cannot open a .docx
                raise PdfUnavailable(key="document.no_writer")
            raise PdfFailed(key="document.pdf_failed", detail=detail[-1] if detail else f"exit {proc.returncode}")
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f".tmp-{target.name}")
        shutil.copyfile(made, staged)
        os.replace(staged, target)
    return target
