"""PDF documents of the register (minutes, receipts), checked and stored without metadata.

A PDF is judged by opening it with qpdf (through pikepdf), never by its name or declared type:
what qpdf cannot read as a PDF is refused, and so is an encrypted one (with a password to open
it, or only to restrict it: its content could not be rewritten as it is), one of more than
:data:`MAX_PAGES` pages, and one that carries active or hidden content: JavaScript, launch,
import or submit actions, embedded files or rich media (:data:`ACTIVE_KEYS`,
:data:`ACTIVE_ACTIONS`). What is stored is the document saved again by qpdf without its document
information dictionary (``/Info``: author, creator, producer, dates) and without any XMP
``/Metadata`` stream, whose fields carry the names of the people and software that made it.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from typing import Any

import pikepdf

from gis.errors import InvalidInput, TooLarge, Unprocessable
from gis.text import N_

log = logging.getLogger(__name__)

#: Largest file accepted (bytes, as uploaded), as for photos.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: Most pages of a document.
MAX_PAGES = 200
#: The content type of a stored PDF.
PDF = "application/pdf"
#: Dictionary keys that hold active or hidden content: JavaScript (``/JS``, the names tree
#: ``/JavaScript``), embedded files (``/EmbeddedFiles``, a file specification's ``/EF``),
#: and rich media.
ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/RichMediaContent", "/RichMediaSettings"}
)
#: Action types refused wherever they appear (``/S``).
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE", "/RichMediaExecute"}
)
#: Object types refused (``/Type``, ``/Subtype``).
ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment", "/RichMedia"})
#: How deep direct (nested) objects are followed; deeper is refused as unreadable.
MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """A checked PDF without its metadata, ready to store.

    Attributes:
        data: the document as saved again (no ``/Info``, no XMP).
        pages: its number of pages.
        sha256: hex digest of the bytes as uploaded (the key of a retried upload).
    """

    data: bytes
    pages: int
    sha256: str
    content_type: str = PDF

    @property
    def byte_size(self) -> int:
        return len(self.data)


def check_size(raw: bytes, field: str) -> None:
    """An upload that is not empty and not over :data:`MAX_DOCUMENT_BYTES`, or refused naming
    ``field``."""
    if not raw:
        raise InvalidInput(N_("{field} is an empty file"), field=field)
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise TooLarge(
            N_("{field} is larger than {mib} MiB"),
            field=field,
            mib=MAX_DOCUMENT_BYTES // (1024 * 1024),
        )


def looks_like_pdf(raw: bytes) -> bool:
    """Whether the upload starts as a PDF does (``%PDF-`` in its first kilobyte, where readers
    look for it)."""
    return b"%PDF-" in raw[:1024]


def _active(obj: Any, depth: int = 0) -> str | None:
    """The first key, action or type of active content in ``obj`` and the direct objects
    inside it (indirect ones are visited on their own), or ``None``."""
    if depth > MAX_DEPTH:
        return "depth"
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Dictionary):
        for key in ACTIVE_KEYS:
            if key in obj:
                return str(key)
        for name in ("/S", "/Type", "/Subtype"):
            value = obj.get(name)
            if isinstance(value, pikepdf.Name) and (
                str(value) in ACTIVE_ACTIONS or str(value) in ACTIVE_TYPES
            ):
                return str(value)
        children: Any = obj.values()
    elif isinstance(obj, pikepdf.Array):
        children = obj
    else:
        return None
    for child in children:
        if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect:
            found = _active(child, depth + 1)
            if found:
                return found
    return None


def _strip_metadata(obj: Any) -> None:
    """Remove the XMP ``/Metadata`` stream of a dictionary or stream (the catalogue, pages,
    images and fonts may each carry one)."""
    target = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
    if isinstance(target, pikepdf.Dictionary) and "/Metadata" in target:
        del target["/Metadata"]


def _open(raw: bytes, field: str) -> pikepdf.Pdf:
    try:
        pdf = pikepdf.open(io.BytesIO(raw))
    except pikepdf.PasswordError:
        raise Unprocessable(
            N_("{field} is an encrypted PDF: save it without a password"), field=field
        ) from None
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        log.info("unreadable PDF: %r", exc)
        raise Unprocessable(N_("{field} must be a PDF that opens"), field=field) from None
    if pdf.is_encrypted:
        pdf.close()
        raise Unprocessable(
            N_("{field} is an encrypted PDF: save it without a password"), field=field
        )
    return pdf


def prepare_pdf(raw: bytes, field: str) -> PreparedDocument:
    """Check an uploaded PDF and save it again without metadata (no database).

    Args:
        raw: the file's bytes as uploaded.
        field: the form or API field the file came in, named by every refusal.

    Returns:
        The document without ``/Info`` and XMP, its page count and the digest of ``raw``.

    Raises:
        InvalidInput: an empty file.
        TooLarge: more than :data:`MAX_DOCUMENT_BYTES`.
        Unprocessable: not a PDF qpdf reads, encrypted, no page or more than
            :data:`MAX_PAGES`, or with JavaScript, actions that launch, import or submit,
            embedded files or rich media.
    """
    check_size(raw, field)
    if not looks_like_pdf(raw):
        raise Unprocessable(N_("{field} must be a PDF that opens"), field=field)
    with _open(raw, field) as pdf:
        try:
            pages = len(pdf.pages)
            if not 1 <= pages <= MAX_PAGES:
                raise Unprocessable(
                    N_("{field} must have from 1 to {most} pages"), field=field, most=MAX_PAGES
                )
            for obj in (pdf.trailer, pdf.Root, *pdf.objects):
                found = _active(obj)
                if found:
                    log.info("PDF with active content refused: %s", found)
                    raise Unprocessable(
                        N_(
                            "{field} holds scripts, actions or embedded files: print it to a "
                            "new PDF and send that"
                        ),
                        field=field,
                    )
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            for obj in (pdf.Root, *pdf.objects):
                _strip_metadata(obj)
            out = io.BytesIO()
            pdf.save(out, deterministic_id=True, fix_metadata_version=False)
        except (pikepdf.PdfError, RuntimeError, ValueError) as exc:
            log.info("PDF not rewritable: %r", exc)
            raise Unprocessable(N_("{field} must be a PDF that opens"), field=field) from None
    return PreparedDocument(
        data=out.getvalue(), pages=pages, sha256=hashlib.sha256(raw).hexdigest()
    )


__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_PAGES",
    "PDF",
    "PreparedDocument",
    "check_size",
    "looks_like_pdf",
    "prepare_pdf",
]
