"""A dossier's situation in words for staff pages (``motcua/dossiers/situation.py``):

- ``{% dossier_situation dossier as situation %}``: the label, the outcome and the reason of a
  rejection, refusal or stop (reads one event, and only for such a dossier);
- ``{{ status_code|status_label:outcome }}``: the words of a status with the dossier's outcome (a
  history entry at 9 or 10 of a dossier not granted never reads as a success).
"""

from django import template

from motcua.dossiers import situation as words
from motcua.dossiers.models import Dossier

register = template.Library()


@register.simple_tag
def dossier_situation(dossier: Dossier) -> words.Situation:
    return words.situation_of(dossier)


@register.filter
def status_label(status_code: int | None, outcome: str = "") -> str:
    return words.status_label(status_code, outcome) if status_code else ""
