"""Readable text from the cells of an exported report.

Exports from web CMSs leave stray HTML (`<p>`, `<ul style=...>`, `<li>`) and
LaTeX formulas (`$(N^{\\circ} \\text{ di progetti}) * 100$`) in the cells. Staff
must read them in the plan workbook, so both are turned back into plain text.
Text that only looks like a tag (`<<AmiantoZero>>`, `< -15 giorni`) is kept.
"""

from __future__ import annotations

import re

_TAGS = r"p|ul|ol|li|br|div|span|b|i|u|em|strong|font|table|tr|td|th|tbody|thead|h[1-6]|sup|sub|a"
_HTML_TAG = re.compile(rf"</?(?:{_TAGS})\b[^<>]{{0,400}}/?>", re.IGNORECASE)
_ENTITIES = {
    "&nbsp;": " ",
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&#39;": "'",
    "&apos;": "'",
    "&euro;": "€",
    "&deg;": "°",
}
_LATEX_INLINE = re.compile(r"\$([^$]{1,2000})\$")
_LATEX_TEXT = re.compile(r"\\(?:text|mathrm|textrm|mbox|textit|mathit|textbf|mathbf)\s*\{([^{}]*)\}")
_LATEX_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_LATEX_SYMBOLS = {
    r"^{\circ}": "°",
    r"^\circ": "°",
    r"\circ": "°",
    r"\times": "×",
    r"\cdot": "·",
    r"\div": "÷",
    r"\leq": "≤",
    r"\geq": "≥",
    r"\le": "≤",
    r"\ge": "≥",
    r"\neq": "≠",
    r"\%": "%",
    r"\euro": "€",
    r"\,": " ",
    r"\;": " ",
    r"\ ": " ",
    r"\left": "",
    r"\right": "",
}
_SPACES = re.compile(r"[ \t\u00a0\u202f\u2007\u2009]+")
_MARKDOWN_EMPHASIS = re.compile(r"^[#\s]*[*_]+|[*_]+\s*$")


def _latex_to_text(formula: str) -> str:
    out = formula
    for _ in range(3):  # nested \text{} inside \frac{}{}
        out = _LATEX_TEXT.sub(r"\1", out)
        out = _LATEX_FRAC.sub(r"(\1) / (\2)", out)
    for symbol, plain in _LATEX_SYMBOLS.items():
        out = out.replace(symbol, plain)
    out = re.sub(r"\^\{([^{}]*)\}", r"^\1", out)
    out = re.sub(r"\\[a-zA-Z]+", "", out)  # any other command
    out = out.replace("{", "").replace("}", "")
    return out


def has_markup(text: str) -> bool:
    """Whether `clean_text` would change more than white space."""
    return bool(_HTML_TAG.search(text) or _LATEX_INLINE.search(text) or "&nbsp;" in text)


def clean_text(value: object) -> str:
    """Plain, single-spaced text of a cell: no HTML tags, LaTeX made readable."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if not any(ch in text for ch in "<$&\\"):
        return _SPACES.sub(" ", text.replace("\r", " ").replace("\n", " ")).strip()
    text = _HTML_TAG.sub(" ", text)
    for entity, plain in _ENTITIES.items():
        text = text.replace(entity, plain)
    text = _LATEX_INLINE.sub(lambda m: _latex_to_text(m.group(1)), text)
    text = text.replace("\r", " ").replace("\n", " ")
    text = _SPACES.sub(" ", text)
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"\s+\)", ")", text)
    text = re.sub(r"\[\s+", "[", text)
    text = re.sub(r"\s+\]", "]", text)
    return text.strip()


def strip_emphasis(text: str) -> str:
    """`**LINEA STRATEGICA**` / `# *Titolo*` -> the bare title."""
    return _MARKDOWN_EMPHASIS.sub("", text.strip()).strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not _SPACES.sub("", value).strip())
