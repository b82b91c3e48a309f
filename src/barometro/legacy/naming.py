"""Readable names and short codes for strategic lines.

"LINEA STRATEGICA SULL'AMBIENTE" -> name "Ambiente", code "AMB";
"OBIETTIVI DI MANDATO" -> "Obiettivi di mandato", "MAN".
"""

from __future__ import annotations

import re
import unicodedata

from .text import strip_emphasis

_PREFIX = re.compile(r"^(?:LINEA|AREA|AMBITO)\s+STRATEGIC[AO]\s*[:\-–]?\s*", re.IGNORECASE)
_PREPOSITION = re.compile(
    r"^(?:SULL'|SULL’|SULLA|SULLE|SULLO|SUGLI|SUI|SUL|SU|DELL'|DELLA|DELLE|DELLO|DEGLI|DEI|DEL|DI|PER LA|PER IL|PER)\s*(?=\S)",
    re.IGNORECASE,
)
_SMALL_WORDS = {
    "e", "ed", "o", "di", "del", "dello", "della", "dei", "degli", "delle", "a", "al", "alla",
    "ai", "agli", "alle", "da", "dal", "dalla", "in", "nel", "nella", "nei", "con", "su",
    "per", "tra", "fra", "il", "lo", "la", "i", "gli", "le", "un", "una", "uno",
}
_ACCENTS = {"A": "à", "E": "è", "I": "ì", "O": "ò", "U": "ù"}
_CODE_SKIP = {"OBIETTIVI", "OBIETTIVO", "LINEA", "AREA", "STRATEGICA", "SERVIZI", "DEI"}


def _accent(word: str) -> str:
    """COMUNITA' -> COMUNITÀ (typewriter accents of upper-case exports)."""
    if len(word) > 2 and word[-1] in "'’" and word[-2].upper() in _ACCENTS:
        return word[:-2] + _ACCENTS[word[-2].upper()].upper()
    return word


def line_name(title: str) -> str:
    """A readable sheet name from a published line title."""
    bare = strip_emphasis(title).strip()
    rest = _PREFIX.sub("", bare)
    if rest != bare:
        rest = _PREPOSITION.sub("", rest)
    rest = rest.replace(" / ", ", ").replace("/", ", ")
    rest = re.sub(r"\s+", " ", rest).strip(" .:-") or bare
    if rest != rest.upper():
        return rest[:1].upper() + rest[1:]  # already mixed case: keep as written
    words: list[str] = []
    for i, raw in enumerate(rest.split(" ")):
        word = _accent(raw)
        core = word.strip(",;:").lower()
        if i == 0:
            words.append(word[:1].upper() + word[1:].lower())
        elif core in _SMALL_WORDS:
            words.append(word.lower())
        elif len(core) <= 2 and core.isalpha():
            words.append(word.upper())  # acronyms: PA, UE
        else:
            words.append(word.lower())
    return " ".join(words)


def _ascii_words(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = [w.upper() for w in re.findall(r"[A-Za-z]+", plain)]
    significant = [w for w in words if len(w) >= 3 and w.lower() not in _SMALL_WORDS]
    preferred = [w for w in significant if w not in _CODE_SKIP]
    return preferred or significant or words or ["LIN"]


def line_code(name: str, taken: set[str]) -> str:
    """A short, unique, upper-case code (3 letters when possible)."""
    words = _ascii_words(name)
    candidates = [words[0][:3]]
    candidates += [w[:3] for w in words[1:]]
    if len(words) >= 2:
        candidates.append("".join(w[0] for w in words[:3]).ljust(3, words[-1][1:2] or "X"))
        candidates.append(words[0][:2] + words[1][0])
    for cand in candidates:
        if len(cand) >= 2 and cand not in taken:
            return cand
    base, n = words[0][:3], 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"
