"""What a file attached to a complaint, incident, group meeting or refund may be (issue §Documents 1).

The type is read from the content, never from the name a browser sends: an executable
named ``.pdf`` is refused, and so is a web page, which a browser could run. The name is
kept for display only, cleaned of control characters; one with folders in it is refused.
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from app.policy.errors import ValidationFailed
from app.policy.i18n import _

# (decided) 10 MB covers a scanned letter or a phone photo; larger evidence goes by other channels.
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Every request is cut off beyond this: a file and the form around it.
MAX_REQUEST_BYTES = MAX_ATTACHMENT_BYTES + 64 * 1024
# (decided) Display names longer than this are cut (the extension kept).
MAX_NAME_LENGTH = 120
# How much of the start of a file the type check reads (and all of a text file up to it).
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("application/pdf", (".pdf",))
PNG = FileKind("image/png", (".png",))
JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"))
GIF = FileKind("image/gif", (".gif",))
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
DOC = FileKind("application/msword", (".doc",))
XLS = FileKind("application/vnd.ms-excel", (".xls",))
TEXT = FileKind("text/plain", (".txt", ".csv"))

# The accepted kinds, by the bytes they start with.
SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old Word and Excel formats
# Text a browser would take for a page or a script, whatever the declared type.
ACTIVE_TEXT = re.compile(rb"<\s*(!doctype|html|head|body|script|iframe|svg|object|embed|meta)\b", re.IGNORECASE)

# Names: no folders, no control or format characters (RTL overrides hide a real extension).
_PATH_PARTS = re.compile(r"[\\/]|^\.\.?$|^[A-Za-z]:")


def not_accepted() -> ValidationFailed:
    return ValidationFailed(
        {
            "file": _(
                "This kind of file is not accepted: attach a PDF, an image (PNG, JPEG, GIF), "
                "a Word or Excel document or plain text."
            )
        }
    )


def clean_name(name: str | None) -> str:
    """The display name: no folders (refused), no control characters, at most MAX_NAME_LENGTH."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"file": _("Choose a file to attach.")})
    if _PATH_PARTS.search(name):
        raise ValidationFailed({"file": _("A file name must not contain folders.")})
    cleaned = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip(" .")
    if not cleaned:
        raise ValidationFailed({"file": _("Choose a file to attach.")})
    if len(cleaned) > MAX_NAME_LENGTH:
        stem, dot, extension = cleaned.rpartition(".")
        extension = dot + extension if dot and len(extension) <= 10 else ""
        cleaned = (stem if extension else cleaned)[: MAX_NAME_LENGTH - len(extension)] + extension
    return cleaned


def _office_kind(head: bytes, data: bytes | None) -> FileKind | None:
    """A ZIP is accepted only as a Word or Excel document (its parts say which)."""
    if data is None:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _text_kind(head: bytes) -> FileKind | None:
    if b"\x00" in head or ACTIVE_TEXT.search(head):
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            # The read may cut a character in two at its end.
            head.decode(encoding) if len(head) < SNIFF_BYTES else head[:-4].decode(encoding)
        except UnicodeDecodeError:
            continue
        return TEXT
    return None


def sniff(head: bytes, data: bytes | None = None) -> FileKind | None:
    """The kind of a file from its first SNIFF_BYTES (``data``: the whole file, for ZIP-based ones)."""
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(ZIP_SIGNATURE):
        return _office_kind(head, data)
    if head.startswith(OLE_SIGNATURE):
        return DOC  # refined by the name's extension in check_file
    return _text_kind(head)


def check_file(name: str | None, size: int, head: bytes, data: bytes | None = None) -> tuple[str, str]:
    """(display name, content type) of an upload, or ValidationFailed with the reason."""
    display = clean_name(name)
    if size <= 0:
        raise ValidationFailed({"file": _("The file is empty.")})
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(
            {"file": _("The file is larger than %(megabytes)s MB.", megabytes=MAX_ATTACHMENT_BYTES // (1024 * 1024))}
        )
    kind = sniff(head, data)
    if kind is None:
        raise not_accepted()
    extension = "." + display.rpartition(".")[2].lower() if "." in display else ""
    if kind is DOC and extension in XLS.extensions:
        kind = XLS
    if extension not in kind.extensions:
        raise ValidationFailed(
            {
                "file": _(
                    "The file's content does not match its name: name it %(extension)s.",
                    extension=" / ".join(kind.extensions),
                )
            }
        )
    return display, kind.content_type
