"""Settings: defaults, shipped profiles, TOML files and their errors."""

from __future__ import annotations

import pytest

from barometro.settings import (
    DEFAULT_SETTINGS,
    LineMethod,
    NeutralisedPolicy,
    SettingsError,
    load_profile,
    load_settings,
    profile_names,
)


def test_defaults_are_the_sound_ones():
    s = DEFAULT_SETTINGS
    assert s.line_method is LineMethod.OBJECTIVE_MEAN
    assert s.neutralised is NeutralisedPolicy.EXCLUDE
    assert s.tolerance == 1.0
    assert load_profile("default") == s


def test_cremona_profile():
    s = load_profile("cremona")
    assert s.line_method is LineMethod.INDICATOR_MEAN
    assert s.neutralised is NeutralisedPolicy.ZERO
    assert s.fingerprint() != DEFAULT_SETTINGS.fingerprint()
    assert "media aritmetica" in s.describe_it()
    assert set(profile_names()) >= {"default", "cremona"}


def test_load_from_toml_file(tmp_path):
    f = tmp_path / "ente.toml"
    f.write_text('[scoring]\nline_method = "indicator_weighted"\ntolerance = 0.5\n', encoding="utf-8")
    s = load_settings(f)
    assert s.line_method is LineMethod.INDICATOR_WEIGHTED and s.tolerance == 0.5
    assert s.name == "ente"
    assert load_settings("cremona") == load_profile("cremona")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ('line_method = "median"', "line_method"),
        ("tolerance = -1", "tolleranza"),
        ('tolerance = "one"', "tolerance"),
        ("colour = 3", "impostazione «colour» sconosciuta"),
        ("gauge_yellow = 120", "gauge_yellow"),
        ("this is not toml", "TOML"),
    ],
)
def test_bad_settings_name_the_key_in_italian(tmp_path, body, needle):
    f = tmp_path / "bad.toml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(SettingsError, match=needle) as info:
        load_settings(f)
    assert info.value.render("en") != str(info.value)  # English on request, from the same data


def test_unknown_profile_and_missing_file(tmp_path):
    with pytest.raises(SettingsError, match="profilo di impostazioni «nonexistent» sconosciuto") as info:
        load_settings("nonexistent")
    assert "unknown settings profile" in info.value.render("en")
    with pytest.raises(SettingsError, match="non trovato"):
        load_settings(tmp_path / "missing.toml")
