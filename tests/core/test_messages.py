"""The message catalogue: every key in both languages, same placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometro import messages
from barometro.messages import MessageError, catalogue, placeholders, set_language, text


def test_every_key_exists_in_both_languages_with_the_same_placeholders():
    cat = catalogue()
    assert set(cat["it"]) == set(cat["en"]), set(cat["it"]) ^ set(cat["en"])
    for key, template in cat["it"].items():
        assert placeholders(template) == placeholders(cat["en"][key]), key


def test_language_switch():
    try:
        set_language("en")
        assert "achieved" == text("gauge.verde")
        set_language("it")
        assert "raggiunto" == text("gauge.verde")
    finally:
        set_language(None)
    assert messages.language() in ("it", "en")


def test_unknown_key_is_a_named_error():
    with pytest.raises(MessageError):
        text("no.such.key")


def test_every_key_is_used_by_the_code():
    from catalogue_usage import unused_keys

    repo = Path(__file__).resolve().parents[2]
    files = [p for d in ("src", "validators", "addin", "workbook_templates") for pattern in ("*.py", "*.html")
             for p in (repo / d).rglob(pattern)]
    assert unused_keys(catalogue()["it"], files) == []


def test_a_placeholder_left_unfilled_is_an_error_not_a_half_sentence():
    with pytest.raises(MessageError, match="limit_mb"):
        text("validators.R008.message", size_mb=612)
    assert text("validators.R008.message", size_mb=612, limit_mb=50) == (
        "Il file è troppo grande (612 MB, limite 50 MB): non viene letto.")


def test_numbers_in_messages_follow_the_language():
    assert "4.580" in text("validators.C206.message", "it", found="4580", value=4580.0)
    assert "4,580" in text("validators.C206.message", "en", found="4580", value=4580.0)
    assert "45,5" in text("validators.C206.message", "it", found="45.5", value=45.5)
