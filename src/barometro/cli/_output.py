"""What the batch commands print, and how they end when Barometro itself fails.

* `emit` writes text whatever the terminal's encoding (characters it cannot show become
  `?`, never a UnicodeEncodeError), and JSON always as UTF-8 (RFC 8259).
* `crash_exit` turns an unexpected exception into exit code 3 and one short line on
  stderr naming the stage and the file; the traceback only with `BAROMETRO_DEBUG=1`.
  Exit 1 keeps its one meaning: files with errors.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import NoReturn

from barometro.names import display_name

EXIT_OK, EXIT_ERRORS, EXIT_CANNOT_PROCEED, EXIT_CRASH = 0, 1, 2, 3


def debug() -> bool:
    return os.environ.get("BAROMETRO_DEBUG", "") not in ("", "0")


def emit(text: str, *, err: bool = False, utf8: bool = False) -> None:
    """Print `text` and a newline on stdout (or stderr); `utf8`: bytes in UTF-8 whatever the locale."""
    stream = sys.stderr if err else sys.stdout
    encoding = "utf-8" if utf8 else (getattr(stream, "encoding", None) or "utf-8")
    data = (text + "\n").encode(encoding, errors="replace")
    binary = getattr(stream, "buffer", None)
    stream.flush()
    if binary is None:  # a text-only stream (an embedding application): characters it cannot take are lost
        stream.write(data.decode(encoding, errors="replace"))
    else:
        binary.write(data)
        binary.flush()


def crash_message(stage: str, file: object, exc: BaseException) -> str:
    from barometro.messages import text

    return text("validators.cli.crash", stage=stage, file=display_name(str(file)) if file else "—",
                detail=f"{type(exc).__name__}: {display_name(str(exc))[:300]}")


def crash_exit(stage: str, file: object, exc: BaseException) -> NoReturn:
    """Report a failure of Barometro itself and exit 3 (never 1, which means 'errors found')."""
    if debug():
        emit("".join(traceback.format_exception(exc)), err=True)
    emit(crash_message(stage, file, exc), err=True)
    sys.exit(EXIT_CRASH)
