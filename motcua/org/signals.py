"""Signals the organisation sends for writes that Django's own model signals do not see."""

from django.dispatch import Signal

# Sent after agencies were changed by a bulk update (a subtree moved: every path in it rewritten).
# Apps that keep copies of agencies (the catalogue's intake reference) drop them.
agencies_changed = Signal()
