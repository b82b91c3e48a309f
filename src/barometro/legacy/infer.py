"""Guess what a legacy report never wrote down: kind, polarity, neutralisation.

Each guess names the rule that fired, so the office can confirm or correct it
in the plan workbook ("Tipo dedotto?" / "Polarità dedotta?" columns).

- Binary: the formula text defines the codes ("1 = fatto 0 = non fatto",
  "1=accettato 0=rifiutato", "1 = ASSENZA DI VARIAZIONI"...) AND the target is 1.
- Lower is better: rankings ("Posizionamento nella classifica"), delays and
  average times ("tempi medi", "giorni di ritardo"), minutes, and an indicator
  that STARTS with "Riduzione" of something measured as a ratio or a quantity
  (not an amount: "Riduzione Tari ... valore in Euro" is euro of relief granted,
  higher is better; "Proposta di riduzione della spesa ... Sommatoria costi" is
  savings found, higher is better, as 2021 scored them).
- Second opinion from the published % Ragg: when only "lower is better"
  explains it (target 10, actual 2, scored 100) the row is lower-is-better.
- Neutralised: weight 0 and a note.

`kind_inferred` / `polarity_inferred` mark the guesses the office should look at
(a rule fired, or a target of 1 scored as a quantity); plain defaults
(quantity, higher is better) are not flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from barometro.messages import Phrase
from barometro.model import Kind, Polarity
from barometro.scoring import achievement

from .report import ImportIssue, LegacyRow, Severity

# "1 = fatto", "1= fatto", "1=Fatto", "0 = non fatto 1 = fatto", "1 = ASSENZA DI VARIAZIONI"
_BINARY_CODE = re.compile(r"(?<![\d.,])1\s*=\s*[^\W\d_]", re.UNICODE)
_BINARY_WORDS = re.compile(r"\b(?:s[iì]\s*/\s*no|fatto\s*/\s*non\s+fatto)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    code: str  # stable id, also the message key suffix
    pattern: re.Pattern[str]


LOWER_RULES: tuple[Rule, ...] = (
    Rule("ranking", re.compile(r"\b(?:posizionamento|posizione|piazzamento)\b.{0,40}\b(?:ranking|classifica|graduatoria)\b|\branking\b", re.IGNORECASE)),
    Rule("average_time", re.compile(r"\btemp[oi]\s+medi[oi]?\b|\btemp[oi]\s+di\s+(?:attesa|risposta|rilascio|pagamento)\b", re.IGNORECASE)),
    Rule("delay", re.compile(r"\bgiorni\s+di\s+ritardo\b|\britard[oi]\b", re.IGNORECASE)),
    Rule("minutes", re.compile(r"\bminuti\b", re.IGNORECASE)),
    Rule("waiting_days", re.compile(r"\bgiorni\s+(?:di\s+)?(?:attesa|medi)\b", re.IGNORECASE)),
)


def binary_rule(row: LegacyRow) -> str | None:
    """The rule that makes the row binary, or None."""
    if row.target.value != 1.0:
        return None
    if _BINARY_CODE.search(row.formula_text):
        return "code_in_formula"
    if _BINARY_WORDS.search(row.formula_text):
        return "words_in_formula"
    return None


_REDUCTION = re.compile(r"^\s*riduzione\b", re.IGNORECASE)
_AMOUNT = re.compile(r"\b(?:valore|importo|euro|sommatoria|somma)\b|€", re.IGNORECASE)


def lower_rule(row: LegacyRow) -> str | None:
    """The text rule that makes the row lower-is-better, or None."""
    texts = f"{row.indicator} | {row.formula_text}"
    for rule in LOWER_RULES:
        if rule.pattern.search(texts):
            return rule.code
    if _REDUCTION.search(row.indicator) and not _AMOUNT.search(row.formula_text):
        return "reduction"
    return None


def published_score_says_lower(row: LegacyRow, kind: Kind) -> bool:
    """Only "lower is better" explains the published % Ragg of this row."""
    typed, a, t = row.achievement.value, row.actual.value, row.target.value
    if typed is None or a is None or t is None or a >= t:
        return False
    higher = achievement(a, t, kind, Polarity.HIGHER)
    lower = achievement(a, t, kind, Polarity.LOWER)
    if higher is None or lower is None:
        return False
    return abs(lower - typed) <= 1.0 < abs(higher - typed)


def infer_rows(rows: list[LegacyRow]) -> list[ImportIssue]:
    """Set kind, polarity and neutralised on every row; the issues say why."""
    issues: list[ImportIssue] = []

    def add(code: str, severity: Severity, row: LegacyRow, field: str, key: str, guessed: str, **v: object) -> None:
        issues.append(ImportIssue(code=code, severity=severity, key=key, params=v, source_row=row.source_row,
                                  field=field, guessed=guessed, sheet=row.sheet))

    for row in rows:
        rule = binary_rule(row)
        row.kind = Kind.BINARY if rule else Kind.QUANTITY
        row.kind_rule = rule or "default"
        # Flag the guesses worth a look: a rule fired, or a quantity that could be a yes/no.
        row.kind_inferred = bool(rule) or (row.target.value == 1 and row.actual.value in (0.0, 1.0))
        if rule:
            add("legacy-kind-inferred", Severity.INFO, row, "kind", "legacy.issue.kind_binary",
                Kind.BINARY.value, formula=row.formula_text[:60])
        elif row.kind_inferred:
            row.kind_rule = "target_one"
            add("legacy-kind-default", Severity.INFO, row, "kind", "legacy.issue.kind_default_target_one",
                Kind.QUANTITY.value)

        rule = lower_rule(row)
        if rule is None and published_score_says_lower(row, row.kind):
            rule = "published_score"
        row.polarity = Polarity.LOWER if rule else Polarity.HIGHER
        row.polarity_inferred = bool(rule)
        row.polarity_rule = rule or "default"
        if rule:
            add("legacy-polarity-inferred", Severity.WARNING, row, "polarity",
                "legacy.issue.polarity_lower", Polarity.LOWER.value,
                why=Phrase(f"legacy.rule.{rule}"), indicator=row.indicator[:60])

        weight = row.weight.value
        if weight == 0 and row.note:
            row.neutralised = True
            add("legacy-neutralised", Severity.INFO, row, "neutralised", "legacy.issue.neutralised",
                "SI", note=row.note[:80])
        elif weight == 0:
            add("legacy-neutralised-no-note", Severity.WARNING, row, "neutralised",
                "legacy.issue.neutralised_no_note", "")
    return issues
