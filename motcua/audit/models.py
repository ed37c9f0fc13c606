"""Append-only, tamper-evident event log.

Each event belongs to a chain (one per agency, plus "system"), carries its sequence number in
that chain and the hash of the previous event, and its own hash over all of its content: an
HMAC-SHA256 with the audit key (``AUDIT_KEY``, kept outside the database; ``key_id`` names the
key), so that whoever can write the database but lacks the key cannot recompute it. Events
written before the key existed (``key_id`` empty) carry a plain SHA-256; they are accepted only
as the beginning of their chain, up to the mark the first checkpoint recorded. Chains are
independent so that agencies never wait on one another; within a chain, writers serialise on
the chain's head row (AuditChain). ``manage.py audit_checkpoint`` signs every chain's head into
a file outside the database; ``manage.py audit_verify`` recomputes every chain and compares it
with the latest checkpoint.
"""

from django.conf import settings
from django.db import models


class AuditChain(models.Model):
    key = models.CharField("chuỗi", max_length=64, unique=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = "chuỗi nhật ký"
        verbose_name_plural = "chuỗi nhật ký"

    def __str__(self) -> str:
        return f"{self.key} #{self.last_seq}"


class AuditEvent(models.Model):
    chain = models.CharField("chuỗi", max_length=64)
    seq = models.PositiveBigIntegerField("số thứ tự")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # The id of the key whose HMAC ``hash`` is (motcua.audit.keys.key_id); empty: a plain SHA-256
    # written before the log was keyed.
    key_id = models.CharField("khóa", max_length=16, blank=True, default="")
    occurred_at = models.DateTimeField("thời điểm", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField("tên người thực hiện", max_length=200, blank=True)
    action = models.CharField("hành động", max_length=80)
    object_type = models.CharField("loại đối tượng", max_length=80, blank=True)
    object_id = models.CharField("mã đối tượng", max_length=80, blank=True)
    object_repr = models.CharField("đối tượng", max_length=300, blank=True)
    ip_address = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    before = models.JSONField("trước", null=True, blank=True)
    after = models.JSONField("sau", null=True, blank=True)
    extra = models.JSONField("thông tin thêm", default=dict, blank=True)

    class Meta:
        verbose_name = "sự kiện nhật ký"
        verbose_name_plural = "nhật ký kiểm toán"
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq")]
        indexes = [
            # "what happened to this object": the dossier timeline, the admin history.
            models.Index(fields=["object_type", "object_id", "occurred_at"], name="audit_event_object"),
            models.Index(fields=["action", "occurred_at"], name="audit_event_action"),
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action} {self.object_repr}"
