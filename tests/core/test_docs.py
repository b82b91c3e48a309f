"""The README's library snippet runs as written, on the bundled Cremona report."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _library_snippet() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Library use"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.slow  # end to end on the whole Cremona plan: the slow tier
def test_readme_library_snippet_runs_on_the_seed(tmp_path, monkeypatch, capsys):
    shutil.copy(REPO / "src" / "barometro" / "data" / "cremona_relazione_performance_2021.txt",
                tmp_path / "relazione_2021.txt")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(_library_snippet(), "README.md", "exec"), namespace)  # noqa: S102 - the documented code
    assert (tmp_path / "relazione.xlsx").stat().st_size > 10_000
    batch, result = namespace["batch"], namespace["result"]
    assert len(batch.files) == 14 and not result.blocked
    assert 0 < result.scores.ente <= 100
    printed = capsys.readouterr().out
    assert "sector" in printed and str(round(result.scores.line["AMB"], 2))[:4] in printed
