"""Unreadable inputs raise LegacyFormatError with an Italian message, never a traceback."""

from __future__ import annotations

import os
import zipfile

import pytest
from legacy_helpers import SEED, seed_rows, write_rows_xlsx

from barometro.legacy import LegacyFormatError, import_report


def _raises(path, *words):
    with pytest.raises(LegacyFormatError) as info:
        import_report(path)
    message = str(info.value)
    for word in words:
        assert word in message, message
    return message


def test_binary_garbage(tmp_path):
    path = tmp_path / "relazione.txt"
    path.write_bytes(os.urandom(4096) + b"\x00\x01")
    _raises(path, "binario")


def test_empty_file(tmp_path):
    path = tmp_path / "vuota.txt"
    path.write_bytes(b"")
    _raises(path, "vuoto")
    path.write_text("   \n\n\t\n", encoding="utf-8")
    _raises(path, "vuoto")


def test_text_without_header_row(tmp_path):
    path = tmp_path / "lettera.txt"
    path.write_text("Gentile dirigente,\tin allegato\nla relazione 2021\t\t\n", encoding="utf-8")
    _raises(path, "intestazione", "lettera.txt")


def test_header_but_no_readable_rows(tmp_path):
    lines = SEED.read_text(encoding="utf-8").splitlines()[:33]
    path = tmp_path / "solo_intestazione.txt"
    path.write_text("\n".join(lines + ["a\tb\tc"]), encoding="utf-8")
    _raises(path, "nessuna riga di indicatore")


def test_corrupt_xlsx(tmp_path):
    good = write_rows_xlsx(seed_rows()[:60], tmp_path / "buona.xlsx")
    truncated = tmp_path / "troncata.xlsx"
    truncated.write_bytes(good.read_bytes()[:1500])
    _raises(truncated, "danneggiata", "troncata.xlsx")
    not_zip = tmp_path / "finta.xlsx"
    not_zip.write_text("questo non è un file excel", encoding="utf-8")
    _raises(not_zip, "danneggiata")
    no_parts = tmp_path / "vuota.xlsx"
    with zipfile.ZipFile(no_parts, "w") as zf:
        zf.writestr("hello.txt", "ciao")
    _raises(no_parts, "danneggiata")


def test_old_xls_or_encrypted_workbook(tmp_path):
    path = tmp_path / "vecchia.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    _raises(path, ".xls")


def test_missing_file_and_directory(tmp_path):
    _raises(tmp_path / "manca.txt", "non trovato")
    _raises(tmp_path, "cartella")


def test_input_is_never_modified(tmp_path):
    data = SEED.read_bytes()
    copy = tmp_path / "copia.txt"
    copy.write_bytes(data)
    before = copy.stat().st_mtime_ns
    import_report(copy)
    assert copy.read_bytes() == data and copy.stat().st_mtime_ns == before


def test_a_damaged_row_is_an_issue_not_an_exception(tmp_path):
    lines = SEED.read_text(encoding="utf-8").splitlines()
    lines[35] = "\t\t\t\tUna riga senza numeri\tformula\tfinalità\tmolto\tpoco\t\t\t"  # seed line 36
    lines[36] = lines[36].replace("\t1\t1\t0\t", "\tuno\t1\t0\t")  # seed line 37: target in words
    path = tmp_path / "rovinata.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = import_report(path)
    assert len(result.report.rows) == 160
    (bad,) = [i for i in result.issues if i.source_row == 36]
    assert bad.code == "legacy-unreadable-row" and bad.severity == "errore"
    assert "Una riga senza numeri" in bad.message
    (words,) = [i for i in result.issues if i.source_row == 37 and i.code == "legacy-not-a-number"]
    assert words.field == "target" and "uno" in words.message
