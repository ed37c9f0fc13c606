"""``{% dossier_situation dossier as situation %}``: a dossier's situation in words for staff pages
(``motcua/dossiers/situation.py``): the label, the outcome and the reason of a rejection, refusal
or stop. Reads one event, and only for such a dossier."""

from django import template

from motcua.dossiers.models import Dossier
from motcua.dossiers.situation import Situation, situation_of

register = template.Library()


@register.simple_tag
def dossier_situation(dossier: Dossier) -> Situation:
    return situation_of(dossier)
