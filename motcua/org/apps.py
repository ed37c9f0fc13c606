from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "motcua.org"
    label = "org"
    verbose_name = "Tổ chức"

    def ready(self) -> None:
        from motcua.org import signals

        signals.connect()
