"""The Relazione as PDF: the same HTML page printed by WeasyPrint (A4 landscape), tagged
for accessibility (PDF/UA-1) as publication in Amministrazione trasparente asks.

WeasyPrint needs the Pango library (Debian: libpango-1.0-0, libpangoft2-1.0-0).
The PDF is reproducible: fonts are subset with the run's timestamp
(fontTools honours $SOURCE_DATE_EPOCH), so the same inputs give the same bytes.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from barometro.messages import text


class PdfEngineMissing(RuntimeError):
    """WeasyPrint (or the Pango library it needs) is not installed."""


@contextlib.contextmanager
def _source_date(timestamp: datetime | None) -> Iterator[None]:
    if timestamp is None:
        yield
        return
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(timestamp.timestamp()))
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def render_pdf(html: str, target: Path, timestamp: datetime | None = None) -> None:
    """Write `html` as a PDF to `target` (a temporary path: the caller moves it into place)."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango missing on the machine
        raise PdfEngineMissing(text("consolidation.error.pdf_engine", detail=str(exc))) from None
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with _source_date(timestamp):
        # PDF/UA-1 (WeasyPrint's variant): tagged, with the page's language and title; the
        # headings become bookmarks and each chart's <title> its alternative text.
        weasyprint.HTML(string=html).write_pdf(str(target), pdf_variant="pdf/ua-1")
