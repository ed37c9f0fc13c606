"""The site's layout, written once in Jinja2 (``motcua/jinja2/layout.jinja``), for pages of both
template engines.

Pages are Django templates, except the public tracking page (``dossiers/tracking/lookup.jinja``):
the busiest page of the site, the one a citizen opens from the QR code on every receipt. Django's
template engine took as long to render it (about 1 ms) as the rest of its answer — the lookup,
the throttle, the form's CSRF check — together; Jinja2 compiles a template to Python once and
renders the same page in a fraction of that. ``bench/tracking.py`` measures the page as deployed.

So that the two engines never draw the site twice, the layout (head, menu, messages, footer with
the public service centre) exists once, in Jinja2:

- a Jinja2 page extends ``layout.jinja`` and fills its blocks (``title``, ``description``,
  ``head``, ``hero``, ``content``, ``footer_office``);
- ``templates/base.html``, which every Django page extends as before, is a thin adapter: its
  ``{% layout %}`` tag renders the Django blocks, each in a ``{% slot %}``, and hands them to
  ``layout_for_dtl.jinja``, which puts each where the layout has the block of that name (an empty
  ``footer_office`` keeps the layout's own). ``{{ block.super }}`` works as it always did.

``environment()`` builds the Jinja2 environment Django's backend uses (TEMPLATES in settings):
HTML escaped, a missing name empty as in Django's templates, and the few helpers the Jinja2
templates call, each the same function the Django templates use.
"""

from typing import Any, cast

from django import template
from django.forms.renderers import DjangoTemplates as DjangoFormRenderer
from django.forms.renderers import Jinja2 as Jinja2FormRenderer
from django.template import TemplateDoesNotExist, engines
from django.template.backends.jinja2 import Jinja2
from django.template.base import Node, NodeList, Parser, Token
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr
from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs
from jinja2 import ChainableUndefined, Environment

from motcua.catalog.places import public_office
from motcua.dossiers.templatetags.moments import iso, moment, stamp
from motcua.feedback.templatetags.feedback import rating_offer_html


def _local(write):
    """A Django filter that expects the current time zone's time (``expects_localtime``)."""
    return lambda value, *args: write(template_localtime(value), *args)


def environment(**options: Any) -> Environment:
    # As in Django's templates, a missing name is empty: ``user.kind`` without a user.
    options["undefined"] = ChainableUndefined
    options.pop("autoescape", None)  # always on: these are HTML pages
    env = Environment(autoescape=True, **options)
    env.globals.update(
        static=static,
        url=lambda name, *args, **kwargs: reverse(name, args=args, kwargs=kwargs),
        public_office=public_office,
        rating_offer=rating_offer_html,
    )
    env.filters.update(
        moment=_local(moment),
        stamp=_local(stamp),
        iso=_local(iso),
        date=_local(date_filter),
        linebreaksbr=linebreaksbr,
    )
    return env


register = template.Library()
SLOTS = ("title", "description", "head", "hero", "content", "footer_office")
# What layout.jinja reads besides the slots: the request's (context processors) and the site's.
LAYOUT_NAMES = (
    "user",
    "csrf_token",
    "messages",
    "nav_section",
    "user_receives",
    "SITE_NAME",
    "PROVINCE_NAME",
    "SITE_DESCRIPTION",
)


class SlotNode(Node):
    """What a Django page puts in one block of the layout; drawn by ``LayoutNode``."""

    def __init__(self, name: str, nodelist: NodeList):
        self.name, self.nodelist = name, nodelist

    def render(self, context: template.Context) -> SafeString:
        return self.nodelist.render(context)


class LayoutNode(Node):
    def __init__(self, nodelist: NodeList):
        self.nodelist = nodelist  # searched by {% extends %} for the blocks inside the slots
        self.slots = cast(list[SlotNode], nodelist.get_nodes_by_type(SlotNode))

    def render(self, context: template.Context) -> SafeString:
        # Only the names the layout reads, so that none of the page's own (a ``url`` of its own, say)
        # hides the layout's helpers.
        values = {name: context[name] for name in LAYOUT_NAMES if name in context}
        values["slots"] = {slot.name: slot.render(context) for slot in self.slots}
        layout = cast(Jinja2, engines["jinja2"]).env.get_template("layout_for_dtl.jinja")
        return mark_safe(layout.render(values))  # noqa: S308 (escaped by Jinja2)


@register.tag
def layout(parser: Parser, token: Token) -> LayoutNode:
    """``{% layout %}{% slot "title" %}…{% endslot %}…{% endlayout %}``: the site's layout around
    the slots (``templates/base.html``)."""
    nodelist = parser.parse(("endlayout",))
    parser.delete_first_token()
    return LayoutNode(nodelist)


@register.tag
def slot(parser: Parser, token: Token) -> SlotNode:
    bits = token.split_contents()
    name = bits[1].strip("\"'") if len(bits) == 2 else ""
    if name not in SLOTS:
        raise template.TemplateSyntaxError(f"{{% slot %}} takes one of {', '.join(SLOTS)}")
    nodelist = parser.parse(("endslot",))
    parser.delete_first_token()
    return SlotNode(name, nodelist)


class FormRenderer(Jinja2FormRenderer):
    """Form fields drawn with the Jinja2 templates Django ships for its own widgets, errors and
    labels (the same HTML as its Django templates); a widget that has only a Django template
    (the admin's related-object wrapper, its date and time pickers) with Django's engine.

    Django's templates drew a dossier page's action forms — the selects of officers, agencies
    and earlier steps, each option an included template — in about a tenth of the page's time
    (the leader's page: 65 ms of CPU against 59 ms so, the median of 25 dossiers)."""

    def get_template(self, template_name: str) -> Any:
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)

    @cached_property
    def _django(self) -> DjangoFormRenderer:
        return DjangoFormRenderer()
