"""Multipart uploads streamed straight into the blob store, with a size limit.

The body is parsed as it arrives (python-multipart's streaming parser); a file
part is hashed and written to a temporary file in the data folder and becomes a
blob only when complete. Above the limit nothing is kept and `UploadTooLarge`
says so; the rest of the body is read and dropped (up to a bound) so that the
browser gets the answer instead of a reset connection.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from .blobs import Blob, BlobStore, BlobTooLarge, BlobWriter

MAX_FIELD = 64 * 1024
MAX_FIELDS = 20
DRAIN_LIMIT = 512 * 1024 * 1024
SAFE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt", ".zip")


class UploadError(ValueError):
    """Not a usable multipart body (the message key says why)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class UploadTooLarge(UploadError):
    def __init__(self, limit: int) -> None:
        super().__init__("portal.upload.too_large")
        self.limit = limit


@dataclass
class UploadedFile:
    blob: Blob
    filename: str  # display name, cleaned (never used as a path)


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_filename(raw: bytes | str | None, default: str = "file.xlsx") -> str:
    """A name fit to show and to put in a Content-Disposition: no path, no controls, bounded."""
    if raw is None:
        return default
    name = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").split("/")[-1]
    name = _CONTROL.sub("", name).strip().strip(".")
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cs", "Co", "Cn"))
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:140] + dot + ext[:9]) if dot and len(ext) <= 9 else name[:150]
    return name or default


def safe_suffix(name: str) -> str:
    low = name.lower()
    for s in SAFE_SUFFIXES:
        if low.endswith(s):
            return s
    return ""


class CsrfFailed(UploadError):
    def __init__(self) -> None:
        super().__init__("portal.error.csrf")


async def receive(request: Request, store: BlobStore, *, file_fields: set[str], limit: int,
                  csrf_check=None) -> Upload:  # noqa: ANN001
    """Parse the body; `csrf_check(fields)` is asked before the first file byte is kept
    (forms put their hidden token first), and again at the end when no file came."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise UploadError("portal.upload.not_multipart")
    body = request.stream().__aiter__()
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + MAX_FIELD * MAX_FIELDS:
        await _drain(body)
        raise UploadTooLarge(limit)

    out = Upload()
    state: dict[str, object] = {"headers": {}, "hname": b"", "hvalue": b""}
    current: dict[str, object] = {}
    errors: list[Exception] = []

    def on_part_begin() -> None:
        state["headers"] = {}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["hname"] = state["hname"] + data[start:end]  # type: ignore[operator]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["hvalue"] = state["hvalue"] + data[start:end]  # type: ignore[operator]

    def on_header_end() -> None:
        headers: dict[bytes, bytes] = state["headers"]  # type: ignore[assignment]
        headers[bytes(state["hname"]).lower()] = bytes(state["hvalue"])  # type: ignore[arg-type]
        state["hname"], state["hvalue"] = b"", b""

    def on_headers_finished() -> None:
        headers: dict[bytes, bytes] = state["headers"]  # type: ignore[assignment]
        _, disp = parse_options_header(headers.get(b"content-disposition", b"").decode("latin-1"))
        name = disp.get(b"name", b"").decode("utf-8", "replace")
        current.clear()
        current["name"] = name
        if b"filename" in disp:
            if name not in file_fields or name in out.files:
                raise UploadError("portal.upload.unexpected_file")
            if csrf_check is not None and not csrf_check(out.fields):
                raise CsrfFailed()
            current["filename"] = clean_filename(disp[b"filename"])
            current["writer"] = store_writer(store, limit)
        else:
            if len(out.fields) >= MAX_FIELDS:
                raise UploadError("portal.upload.too_many_fields")
            current["value"] = bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        writer = current.get("writer")
        if writer is not None:
            writer.write(data[start:end])  # type: ignore[union-attr]
        else:
            buf: bytearray = current["value"]  # type: ignore[assignment]
            buf.extend(data[start:end])
            if len(buf) > MAX_FIELD:
                raise UploadError("portal.upload.field_too_large")

    def on_part_end() -> None:
        writer = current.get("writer")
        name = str(current.get("name", ""))
        if writer is not None:
            writer.commit()  # type: ignore[union-attr]
            out.files[name] = UploadedFile(writer.blob, str(current["filename"]))  # type: ignore[union-attr,arg-type]
            current.pop("writer")
        elif "value" in current:
            out.fields[name] = bytes(current["value"]).decode("utf-8", "replace")  # type: ignore[arg-type]

    parser = MultipartParser(params[b"boundary"], {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished,
    })
    try:
        async for chunk in body:
            if chunk:
                parser.write(chunk)
        parser.finalize()
    except BlobTooLarge:
        errors.append(UploadTooLarge(limit))
    except UploadError as exc:
        errors.append(exc)
    except Exception:  # noqa: BLE001 - any malformed body is one clear message
        errors.append(UploadError("portal.upload.malformed"))
    finally:
        writer = current.get("writer")
        if writer is not None:
            writer.discard()  # type: ignore[union-attr]
    if errors:
        await _drain(body)
        raise errors[0]
    if csrf_check is not None and not csrf_check(out.fields):
        raise CsrfFailed()
    return out


def store_writer(store: BlobStore, limit: int) -> BlobWriter:
    return BlobWriter(store, store.temp_path(), limit)


async def _drain(body) -> None:  # noqa: ANN001 - the request's body iterator
    seen = 0
    try:
        async for chunk in body:
            seen += len(chunk)
            if seen > DRAIN_LIMIT:
                break
    except Exception:  # noqa: BLE001 - the client may have gone; nothing to keep
        return
