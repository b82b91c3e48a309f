"""A validator worker that dies like one the OS kills (SIGKILL) when handed a given file.

Worker processes start as fresh interpreters (spawn), so the replacement for
`validators.validate._run_chunk` has to be importable by name in them: it lives
here, on the test path the workers inherit, not inside a test function.
"""

from __future__ import annotations

import os
import signal

KILLING = "r07.xlsx"  # the file whose worker dies, each time it is tried


def run_chunk_or_die(paths: list[str]):  # noqa: ANN201 - the real `_run_chunk`'s reports
    from barometro.validators import validate

    if any(p.endswith(KILLING) for p in paths):
        os.kill(os.getpid(), signal.SIGKILL)
    return validate._run_chunk(paths)
