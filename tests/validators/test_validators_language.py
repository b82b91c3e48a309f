"""Findings render in the language the output asks for, whatever process made them.

Under the `spawn` start method (the default on Windows and macOS) worker processes
do not inherit the parent's language setting: findings keep their data and are
rendered by the process that prints them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from validator_plans import VALUES, small_plan

from barometro.messages import text
from barometro.settings import load_profile
from barometro.workbook_templates.builder import build_templates
from barometro.workbook_templates.fill import fill_workbook

SPAWN_CLI = (
    "import multiprocessing as mp, sys\n"
    "mp.set_start_method('spawn', force=True)\n"
    "from barometro.cli.main import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def _returns(tmp_path: Path) -> tuple[Path, Path]:
    built = build_templates(small_plan(), load_profile("cremona"), tmp_path / "modelli")
    folder = tmp_path / "ritorni"
    for path in built.sectors.values():
        values = {**VALUES, "AMB-02-02": ("4.580", None)}  # a number typed as text: C206
        fill_workbook(path, folder / path.name, values)
    return built.master, folder


def test_english_findings_from_two_spawned_workers(tmp_path):
    master, folder = _returns(tmp_path)
    env = {**os.environ, "BAROMETRO_LANG": "it"}  # the parent's flag must win over the environment
    proc = subprocess.run([sys.executable, "-c", SPAWN_CLI, "--lang", "en", "validate", str(folder),
                           "--master", str(master), "--format", "json", "--jobs", "2"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    findings = [f for file in doc["files"] for f in file["findings"]]
    assert doc["lang"] == "en" and len(doc["files"]) == 2 and findings
    c206 = next(f for f in findings if f["code"] == "C206")
    assert c206["message"] == text("validators.C206.message", "en", found="4.580", value=4580.0)
    assert "4,580" in c206["message"] and c206["params"]["value"] == 4580
    for f in findings:  # every message is the English rendering of its own data
        assert f["message"] == text(f"validators.{f['code']}.message", "en",
                                    **{**f["params"], "sheet": f["sheet"], "cell": f["cell"]}) or f["code"] in (
            "R099", "C206"), f


def test_the_same_findings_render_in_both_languages(tmp_path):
    from barometro.validators import validate_paths

    master, folder = _returns(tmp_path)
    batch = validate_paths([folder], master=master, jobs=2)
    it, en = json.loads(batch.to_json("it")), json.loads(batch.to_json("en"))
    pairs = [(a, b) for fa, fb in zip(it["files"], en["files"], strict=True)
             for a, b in zip(fa["findings"], fb["findings"], strict=True)]
    assert pairs and all(a["code"] == b["code"] and a["params"] == b["params"] for a, b in pairs)
    assert all(a["message"] != b["message"] for a, b in pairs)
