"""Reading a citizen's multipart submission as it streams in: text fields and evidence files.

Nothing of the body is buffered beyond one text field (``MAX_FIELD_BYTES``) or one evidence
write block; files go straight to the evidence store's temporary names. A body announced
larger than every file limit together is refused before any of it is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from domain.errors import Error102, InvalidInput, PayloadTooLarge, TooManyFiles
from evidence.store import READ_BYTES, EvidenceStore, StagedFile

FILE_FIELD = "attachments"
# Text fields and multipart framing on top of the files themselves.
FORM_OVERHEAD_BYTES = 1024 * 1024
# The longest text field is 10,000 characters: up to 40,000 bytes of UTF-8.
MAX_FIELD_BYTES = 64 * 1024
MAX_PARTS = 40


@dataclass(frozen=True, slots=True)
class Submission:
    fields: dict[str, str]
    files: list[StagedFile]  # complete uploads under temporary names, in the order sent


class _Prepended:
    """A part whose first chunk was already read (to tell an empty file input from a file)."""

    def __init__(self, first: bytes, part: BodyPartReader) -> None:
        self._first: bytes | None = first
        self._part = part

    async def read_chunk(self, size: int = READ_BYTES) -> bytes:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        return await self._part.read_chunk(size)


def max_body_bytes(store: EvidenceStore) -> int:
    limits = store.limits
    return limits.max_attachments * limits.max_bytes(None) + FORM_OVERHEAD_BYTES


async def read_submission(request: web.Request, store: EvidenceStore) -> Submission:
    """Fields and staged files, or an Error102 with every staged file already removed.

    PayloadTooLarge, UnsupportedMediaType and TooManyFiles are raised as soon as they are
    known, without reading the rest of the body.
    """
    if request.content_type != "multipart/form-data":
        raise InvalidInput("send the form as multipart/form-data")
    if request.content_length is not None and request.content_length > max_body_bytes(store):
        raise PayloadTooLarge(
            f"the upload is larger than the {max_body_bytes(store)} bytes allowed"
        )
    fields: dict[str, str] = {}
    files: list[StagedFile] = []
    try:
        reader = await request.multipart()
        for _ in range(MAX_PARTS + 1):
            part = await reader.next()
            if part is None:
                return Submission(fields, files)
            if not isinstance(part, BodyPartReader):
                raise InvalidInput("nested multipart bodies are not accepted")
            if part.filename is None:
                name = part.name or ""
                if name in fields:
                    raise InvalidInput(f"{name or 'a field without a name'} is sent twice")
                fields[name] = await _read_text(part, name)
                continue
            if part.name != FILE_FIELD:
                raise InvalidInput(f"files go in the field {FILE_FIELD!r}, not {part.name!r}")
            first = await part.read_chunk(READ_BYTES)
            if not first and not part.filename:
                continue  # a file input left empty: browsers still send the part
            if len(files) >= store.limits.max_attachments:
                raise TooManyFiles(f"at most {store.limits.max_attachments} attachments")
            files.append(await store.stage(_Prepended(first, part)))
        raise InvalidInput(f"a submission has at most {MAX_PARTS} parts")
    except BaseException as exc:
        await store.discard(list(files))
        if isinstance(exc, Error102):
            raise
        if isinstance(exc, ConnectionError | HttpProcessingError):
            raise InvalidInput("the upload was interrupted") from exc
        if isinstance(exc, ValueError | RuntimeError):
            # aiohttp's multipart reader refuses malformed framing with these.
            raise InvalidInput(f"malformed multipart body: {exc}") from exc
        raise


async def _read_text(part: BodyPartReader, name: str) -> str:
    data = bytearray()
    while chunk := await part.read_chunk(READ_BYTES):
        data += chunk
        if len(data) > MAX_FIELD_BYTES:
            raise InvalidInput(f"{name} is too long")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{name} is not UTF-8 text") from None
