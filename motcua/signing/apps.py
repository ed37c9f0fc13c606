from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "motcua.signing"
    verbose_name = "Kết quả điện tử có chữ ký số"
