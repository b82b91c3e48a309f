"""Fuzz: our own valid returns (built, filled, recalculated by LibreOffice) mutated the way
transfers, programs and attackers mutate zip packages, and the invariants asserted on every
case: validation never raises, every finding has a known code and renders in both languages,
the JSON document is strict, the text output renders, the time budget holds, the input is
never modified, and an annotated copy is either written or its absence said (R029)."""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hostile_corpus import parts_of, patch_headers, recode

from barometro.validators import CODES, Status, validate_file
from barometro.validators.annotate import annotate_file
from barometro.validators.reader import DEFAULT_LIMITS
from barometro.validators.text_output import render_text
from barometro.validators.validate import BatchReport

SEED = 20240601
SECTOR_A = "Settore Lavori Pubblici"
SECTOR_B = "Settore Ambiente"


def _entry_spans(data: bytes) -> list[tuple[str, int, int]]:
    """(name, start, end) of each entry's compressed bytes in the file."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            out.append((info.filename, start, start + info.compress_size))
    return out


def mutations(src: Path, rng: random.Random) -> list[tuple[str, bytes]]:
    """(label, file bytes) for every mutation of one clean return."""
    data = src.read_bytes()
    parts, order = parts_of(src)
    xml_parts = [n for n in order if n.endswith((".xml", ".rels"))]
    spans = _entry_spans(data)
    out: list[tuple[str, bytes]] = []
    # truncation at random offsets (a download cut short)
    for cut in sorted(rng.sample(range(1, len(data)), 40)):
        out.append((f"truncate@{cut}", data[:cut]))
    # bytes flipped inside entries (a damaged attachment)
    for n in range(60):
        name, start, end = spans[rng.randrange(len(spans))]
        if end <= start:
            continue
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(start, end)] ^= rng.randint(1, 255)
        out.append((f"flip{n}:{name}", bytes(damaged)))
    # entries duplicated, dropped, renamed
    for name in order:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, pytest.warns(UserWarning):
            for n in order:
                zf.writestr(n, parts[n])
            zf.writestr(name, parts[name])
        out.append((f"duplicate:{name}", buf.getvalue()))
        kept = [n for n in order if n != name]
        out.append((f"drop:{name}", _zip({n: parts[n] for n in kept}, kept)))
        renamed = name[:-1] + ("X" if name[-1] != "X" else "Y")
        out.append((f"rename:{name}", _zip({**{n: parts[n] for n in kept}, renamed: parts[name]},
                                           [*kept, renamed])))
    # recompressed with other methods, and a method field changed
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        out.append((f"method-all:{method}", _zip(parts, order, method)))
    stored = _zip(parts, order, zipfile.ZIP_STORED)
    for method in (1, 6, 9, 12, 14, 98, 99, 0xFFFF):
        name = rng.choice(order)
        out.append((f"method-field:{method}:{name}", patch_headers(stored, name, method=method)))
    # flags and sizes changed (local header, central directory or both)
    for n in range(40):
        name = rng.choice(order)
        where = rng.choice(((True, False), (False, True), (True, True)))
        field = rng.choice(("flag", "crc", "csize", "usize"))
        value = {"flag": {"flag_or": rng.choice((0x1, 0x8, 0x800, 0x40))},
                 "crc": {"crc": rng.getrandbits(32)},
                 "csize": {"csize": rng.choice((0, 1, 10, 0xFFFFFFFF, rng.getrandbits(32)))},
                 "usize": {"usize": rng.choice((0, 1, 1000, 0xFFFFFFFF, rng.getrandbits(32)))}}[field]
        out.append((f"{field}{n}:{name}", patch_headers(data, name, local=where[0], central=where[1], **value)))
    # encodings changed
    for n in range(30):
        name = rng.choice(xml_parts)
        enc, bom, declare = rng.choice((("utf-16-le", True, "UTF-16"), ("utf-16-be", True, "UTF-16"),
                                        ("utf-16-le", False, "UTF-16"), ("utf-32-le", True, "UTF-32"),
                                        ("iso-8859-1", False, None), ("cp1252", False, "windows-1252"),
                                        ("utf-8", True, None), ("utf-16-le", True, "ISO-8859-1")))
        out.append((f"encoding{n}:{enc}:{name}", _zip({**parts, name: recode(parts[name], enc, bom=bom,
                                                                              declare=declare)}, order)))
    # XML edited at random: a slice deleted, duplicated, or a tag inserted
    for n in range(60):
        name = rng.choice(xml_parts)
        raw = parts[name]
        a = rng.randrange(len(raw))
        b = min(len(raw), a + rng.randint(1, 400))
        op = rng.choice(("delete", "duplicate", "insert"))
        if op == "delete":
            new = raw[:a] + raw[b:]
        elif op == "duplicate":
            new = raw[:b] + raw[a:b] + raw[b:]
        else:
            new = raw[:a] + rng.choice((b"<c r=\"A1\"><v>NaN</v></c>", b"<!DOCTYPE x>", b"<x/>", b"&amp;",
                                        b"<row r=\"0\"/>", b"\xff\xfe", b"<![CDATA[<c>]]>", b"<!-- -->")) + raw[a:]
        out.append((f"xml-{op}{n}:{name}", _zip({**parts, name: new}, order)))
    return out


def _zip(parts: dict[str, bytes], order: list[str], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for n in order:
            zf.writestr(n, parts[n])
    return buf.getvalue()


def _strict(doc: str) -> dict:
    def bad(name: str) -> None:
        raise AssertionError(f"non-finite number in JSON: {name}")

    doc.encode("utf-8")  # no lone surrogate
    return json.loads(doc, parse_constant=bad)


def test_fuzzed_returns_keep_every_invariant(built, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    cases = [(f"A/{label}", data) for label, data in mutations(built.returns[SECTOR_A], rng)]
    cases += [(f"B/{label}", data) for label, data in mutations(built.returns[SECTOR_B], rng)[::3]]
    assert len(cases) >= 400
    folder = tmp_path / "fuzz"
    folder.mkdir()
    budget = DEFAULT_LIMITS.seconds + 1.0
    statuses: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    start = time.perf_counter()
    for n, (label, data) in enumerate(cases):
        path = folder / f"caso{n:04d}.xlsx"
        path.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        master = built.master if n % 3 else None
        t = time.perf_counter()
        report = validate_file(path, master=master)
        took = time.perf_counter() - t
        assert took < budget, (label, took)
        assert report.status in Status, label
        assert report.findings or report.status is Status.OK, label
        for f in report.findings:
            assert f.code in CODES, (label, f.code)
            if f.code == "R099":  # the validator itself failed on this case: a bug to fix
                pytest.fail(f"{label}: {f.render_message('en')}")
            for lang in ("it", "en"):
                assert f.render_message(lang) and isinstance(f.render_hint(lang), str)
            codes[f.code] += 1
        statuses[report.status.value] += 1
        batch = BatchReport([report])
        doc = _strict(batch.to_json())
        assert len(doc["files"]) == 1 and doc["exit_code"] in (0, 1), label
        assert render_text(batch)
        if n % 12 == 0:  # annotated copy: written, or R029 says why
            out = annotate_file(report, tmp_path / "annotati" / str(n))
            assert out is not None or report.findings[-1].code == "R029", label
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{label}: input modified"
        path.unlink()
    seconds = time.perf_counter() - start
    print(f"\nfuzz: {len(cases)} cases in {seconds:.1f} s; statuses {dict(statuses)}; "
          f"codes {dict(codes.most_common(12))}")
    # the mutations reach the reader's refusals and the checks alike
    assert statuses["illeggibile"] and statuses["errori"]
    assert {"R003", "R023", "R011"} <= set(codes)


def test_fuzz_mutations_are_deterministic(built) -> None:
    a = [label for label, _ in mutations(built.returns[SECTOR_A], random.Random(SEED))]
    b = [label for label, _ in mutations(built.returns[SECTOR_A], random.Random(SEED))]
    assert a == b and len(set(a)) == len(a) and any(re.match(r"truncate@\d+", x) for x in a)
