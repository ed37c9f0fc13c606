"""Page numbers given by API callers, checked with a Vietnamese message."""

from motcua.lib.errors import InvalidInput


def page_number(page: str | None, pages: int) -> int:
    """The 1-based page asked for (1 when not given); InvalidInput when it is not a page."""
    if page in (None, ""):
        return 1
    try:
        number = int(page)
    except ValueError:
        raise InvalidInput(f"Số trang không hợp lệ: {page}.", details={"page": page}) from None
    if number < 1 or number > max(pages, 1):
        raise InvalidInput(
            f"Không có trang {number} (có {max(pages, 1)} trang).", details={"page": number, "pages": pages}
        )
    return number
