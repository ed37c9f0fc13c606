"""Where other apps' pages offer a rating: the tracking page, "Hồ sơ của tôi" (list and detail),
and the head of unit's panel in the back office inbox. Template tags, so that those apps never
import ``feedback`` (it depends on them, not the reverse)."""

from typing import Any

from django import template
from django.template.loader import render_to_string

from motcua.dossiers.models import Dossier, NationalStatus
from motcua.feedback import links
from motcua.feedback.services import RATEABLE_STATES

register = template.Library()
PANEL_SIZE = 5


def _rateable(item: Any) -> bool:
    if isinstance(item, Dossier):
        return item.state in RATEABLE_STATES
    status = getattr(item, "status_code", None)
    if status in (NationalStatus.RETURNED, NationalStatus.REFUSED):
        return True
    # The tracking page's dossier: guided to a supplement at reception (Mẫu 02), not yet received.
    supplement = getattr(item, "supplement", None)
    return status == NationalStatus.SUPPLEMENT and bool(getattr(supplement, "at_intake", False))


@register.inclusion_tag("feedback/_offer.html")
def rating_offer(item: Any, source: str, level: int = 2) -> dict[str, Any]:
    """A short section (its heading at ``level``) inviting the citizen to rate ``item`` (a
    dossier, or the tracking page's public view of one) once served; nothing otherwise."""
    if item is None or not _rateable(item):
        return {"url": ""}
    return {"url": links.rating_path(item.code, source), "level": level}


def rating_offer_html(item: Any, source: str, level: int = 2) -> str:
    """``rating_offer`` drawn, for the Jinja2 pages (motcua/templating.py): the same section."""
    offer = rating_offer(item, source, level)
    return render_to_string("feedback/_offer.html", offer) if offer["url"] else ""


@register.simple_tag
def rating_path(code: str, source: str, status_code: int | None = None) -> str:
    """The rating link of a row of "Hồ sơ của tôi" (returned or refused), else empty."""
    if status_code not in (NationalStatus.RETURNED, NationalStatus.REFUSED):
        return ""
    return links.rating_path(code, source)


@register.inclusion_tag("feedback/_inbox_panel.html", takes_context=True)
def unsatisfied_panel(context: template.Context) -> dict[str, Any]:
    """The head of unit's unsatisfied ratings not yet handled (nothing for anyone else)."""
    from motcua.feedback.selectors import unsatisfied_panel_rows

    first = unsatisfied_panel_rows(context.get("user"), limit=PANEL_SIZE + 1)
    return {"rows": first[:PANEL_SIZE], "more": len(first) > PANEL_SIZE}


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``mapping[key]`` or empty (the form's values and errors by field name)."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


@register.filter
def fb_fields(spec: str) -> list[tuple[str, str]]:
    """``"name:Label,other:Label"`` → [(name, label), …] for a row of similar inputs."""
    return [tuple(part.split(":", 1)) for part in spec.split(",")]  # type: ignore[misc]
