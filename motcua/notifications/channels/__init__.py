"""Channels: one adapter per way of reaching a person, all behind ``Channel`` (base.py).

``adapter_for(channel)`` gives the configured adapter; settings name each channel's provider
(README, "Notifications")."""

from motcua.notifications.channels.base import Adapter, Outcome, Result, adapter_for

__all__ = ["Adapter", "Outcome", "Result", "adapter_for"]
