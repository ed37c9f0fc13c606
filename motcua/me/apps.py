from django.apps import AppConfig


class MeConfig(AppConfig):
    name = "motcua.me"
    label = "me"
    verbose_name = "API cho ứng dụng di động"
