from django.apps import AppConfig, apps

# django-oauth-toolkit names its app and models in English and without a translatable name
# (the fields and choices are translated by motcua/me/locale/): the admin shows these.
DOT_APP_NAME = "Ứng dụng di động (OAuth 2.0)"
DOT_MODEL_NAMES = {
    "application": ("ứng dụng", "ứng dụng"),
    "accesstoken": ("mã truy cập", "mã truy cập"),
    "refreshtoken": ("mã làm mới", "mã làm mới"),
    "grant": ("mã cấp quyền", "mã cấp quyền"),
    "idtoken": ("mã định danh OpenID", "mã định danh OpenID"),
}


class MeConfig(AppConfig):
    name = "motcua.me"
    label = "me"
    verbose_name = "API cho ứng dụng di động"

    def ready(self) -> None:
        dot = apps.get_app_config("oauth2_provider")
        dot.verbose_name = DOT_APP_NAME
        for model in dot.get_models():
            names = DOT_MODEL_NAMES.get(model._meta.model_name or "")
            if names is not None:
                model._meta.verbose_name, model._meta.verbose_name_plural = names
