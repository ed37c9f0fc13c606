"""In-app: the message is the notice itself; "Hồ sơ của tôi" shows the citizen's delivered
notices (motcua.notifications.selectors.citizen_notices). Sending it makes it visible."""

from motcua.notifications.channels.base import Adapter, Outcome, Result


class InAppAdapter(Adapter):
    idempotent = True  # making a notice visible twice shows it once

    def send(self, message) -> Result:
        return Result(Outcome.DELIVERED)
