"""Checking an uploaded file before it joins a dossier: PDF, JPEG or PNG, recognised from its
content (magic bytes; images also decoded by Pillow), within the size limit
(``settings.DOSSIER_FILE_MAX_BYTES``, 10 MB by default), with its SHA-256."""

import hashlib
import io
import os
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile

from motcua.lib.errors import InvalidInput
from motcua.lib.text import thousands

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@dataclass
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    content: ContentFile


def max_bytes() -> int:
    return int(getattr(settings, "DOSSIER_FILE_MAX_BYTES", DEFAULT_MAX_BYTES))


def _megabytes(size: int) -> str:
    """The limit as people say it: "10 MB", "2,5 MB", "512 KB"."""
    if size < 1024 * 1024:
        return f"{size // 1024} KB"
    value = size / (1024 * 1024)
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + " MB"


def sniff(head: bytes) -> str | None:
    """The content type announced by the first bytes, or None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _read(uploaded, limit: int, name: str) -> bytes:
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise InvalidInput(
            f"Tệp “{name}” lớn hơn {_megabytes(limit)}.", code="file_too_large", details={"size": size}
        )
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data: bytes
    if hasattr(uploaded, "chunks"):
        buffer = bytearray()
        for chunk in uploaded.chunks():
            buffer += chunk
            if len(buffer) > limit:
                break
        data = bytes(buffer)
    else:
        data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(
            f"Tệp “{name}” lớn hơn {_megabytes(limit)}.",
            code="file_too_large",
            details={"size": len(data)},
        )
    return data


def validate_upload(uploaded) -> CheckedFile:
    """Check ``uploaded`` (an UploadedFile or any file object with a name); InvalidInput if bad."""
    if uploaded is None:
        raise InvalidInput("Vui lòng chọn tệp cần đính kèm.", code="file_required")
    name = os.path.basename(getattr(uploaded, "name", "") or "tep")[:255]
    data = _read(uploaded, max_bytes(), name)
    if not data:
        raise InvalidInput(f"Tệp “{name}” rỗng.", code="file_empty")
    content_type = sniff(data[:16])
    if content_type is None:
        raise InvalidInput(f"Tệp “{name}” không phải PDF, JPEG hoặc PNG.", code="file_type")
    if content_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise InvalidInput(f"Tệp “{name}” không phải PDF hợp lệ (tệp bị cắt cụt).", code="file_type")
    else:
        from PIL import Image, UnidentifiedImageError

        try:
            # A few bytes of header may claim 30000 × 30000 pixels (a decompression bomb): Pillow
            # warns above Image.MAX_IMAGE_PIXELS and refuses above twice that; both refuse here.
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    fmt = image.format
                    image.verify()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InvalidInput(
                f"Ảnh “{name}” có kích thước quá lớn (hơn {thousands(Image.MAX_IMAGE_PIXELS or 0)} "
                "điểm ảnh). Hãy quét hoặc chụp lại ở độ phân giải thấp hơn, ví dụ 300 dpi.",
                code="image_too_large",
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise InvalidInput(
                f"Tệp “{name}” không phải ảnh JPEG hoặc PNG hợp lệ.", code="file_type"
            ) from None
        if fmt is None or {"JPEG": "image/jpeg", "PNG": "image/png"}.get(fmt) != content_type:
            raise InvalidInput(f"Tệp “{name}” không phải PDF, JPEG hoặc PNG.", code="file_type")
    base, _ = os.path.splitext(name)
    stored_name = (base or "tep")[:200] + EXTENSIONS[content_type]
    return CheckedFile(
        name=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=ContentFile(data, name=stored_name),
    )
