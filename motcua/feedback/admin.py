"""Read-only views of ratings, devices and survey rounds for administrators: every write goes
through the services (pages of /danh-gia/), so nothing here can add, change or delete."""

from django.contrib import admin

from motcua.feedback.models import CounterDevice, Rating, SurveyRound


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnly):
    list_display = ["dossier", "channel", "source", "agency", "satisfied", "created_at", "handled_at"]
    list_filter = ["channel", "satisfied"]
    # The officer rated is not listed: ratings are read per officer only as aggregates (Decree 61 art. 27).
    exclude = ["officer"]
    raw_id_fields = ["dossier"]


@admin.register(CounterDevice)
class CounterDeviceAdmin(ReadOnly):
    list_display = ["label", "counter", "officer", "paired_at", "revoked_at"]
    exclude = ["pairing_hash", "token_hash"]


@admin.register(SurveyRound)
class SurveyRoundAdmin(ReadOnly):
    list_display = ["name", "agency", "closed_from", "closed_until", "sample_size", "seed"]
