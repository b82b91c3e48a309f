"""The message catalogue: every key in both languages, same placeholders."""

from __future__ import annotations

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
