"""E-mail over SMTP through Django's default mailer (settings MAILERS). A batch shares one SMTP
connection. Each mail carries ``Message-ID: <motcua-outbox-17@…>`` so that a receiving system can
recognise a duplicate; SMTP itself does not, so a message whose worker died mid-send is left for a
person to check.

SMTP's own codes decide: a 5xx reply (no such mailbox, refused) is permanent, a 4xx reply (try
later), a dropped connection or a timeout is temporary."""

import smtplib
import socket
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage, mailers

from motcua.notifications.channels.base import Adapter, Outcome, Result


class EmailAdapter(Adapter):
    def send(self, message) -> Result:
        return self.send_batch([message])[message.pk]

    def send_batch(self, messages: Sequence) -> dict[int, Result]:
        results: dict[int, Result] = {}
        connection = None
        for message in messages:
            if connection is None:
                connection = mailers.default
                try:
                    connection.open()
                except (smtplib.SMTPException, OSError) as exc:
                    # Nothing in this batch can go: each stays temporary (retried later).
                    error = _describe(exc)
                    return {
                        **results,
                        **{
                            m.pk: Result(Outcome.TEMPORARY, error=error)
                            for m in messages
                            if m.pk not in results
                        },
                    }
            mail = EmailMessage(
                subject=message.subject or "Thông báo",
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.recipient],
                headers={
                    "Message-ID": f"<{message.idempotency_reference}@{settings.NOTIFY_MESSAGE_ID_DOMAIN}>"
                },
            )
            try:
                connection.send_messages([mail])
                results[message.pk] = Result(Outcome.DELIVERED)
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                permanent = all(code >= 500 for code in codes)
                results[message.pk] = Result(
                    Outcome.PERMANENT if permanent else Outcome.TEMPORARY, error=_describe(exc)
                )
            except smtplib.SMTPResponseException as exc:
                outcome = Outcome.PERMANENT if exc.smtp_code >= 500 else Outcome.TEMPORARY
                results[message.pk] = Result(outcome, error=_describe(exc))
            except (TimeoutError, smtplib.SMTPException, OSError) as exc:
                # The connection is gone (or never answered): this one is temporary, and the next
                # message opens a new connection.
                results[message.pk] = Result(Outcome.TEMPORARY, error=_describe(exc))
                connection.close()
                connection = None
        if connection is not None:
            connection.close()
        return results


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{rcpt}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for rcpt, (code, msg) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        return f"SMTP {exc.smtp_code}: {text}"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "Máy chủ thư không trả lời (hết thời gian chờ)."
    return f"Lỗi gửi thư: {exc}"
