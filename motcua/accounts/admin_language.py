"""The admin in Vietnamese where Django's translations cannot reach.

- Third-party apps show the names they ship (``APP_NAMES``).
- A permission's name is stored in English when it is created ("Can add lĩnh vực"): it is shown
  from its codename in Vietnamese (``permission_label``).
- Django writes the alternative text of its yes/no icons as "True", "False", "None": a screen
  reader reads them in English (``boolean_icon``).
- django-axes names its rows in English ("Access Log for quantri @ …"): the admin's titles and
  breadcrumbs show ``AXES_NAMES`` instead.
"""

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.models import Permission
from django.forms import ModelMultipleChoiceField
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.timezone import localtime

APP_NAMES = {"axes": "Chống dò mật khẩu", "django_tasks_db": "Tác vụ nền"}
PERMISSION_VERBS = {"add": "Thêm", "change": "Sửa", "delete": "Xóa", "view": "Xem"}
BOOLEAN_TEXT = {True: "Có", False: "Không", None: "Chưa rõ"}


def name_third_party_apps() -> None:
    for config in apps.get_app_configs():
        if config.name in APP_NAMES:
            config.verbose_name = APP_NAMES[config.name]


def permission_label(permission: Permission) -> str:
    """ "Danh mục thủ tục | lĩnh vực | Thêm lĩnh vực" for the permission "add_field"."""
    model = permission.content_type.model_class()
    verb, _, rest = permission.codename.partition("_")
    what = str(model._meta.verbose_name) if model is not None else rest
    app = str(apps.get_app_config(permission.content_type.app_label).verbose_name)
    text = f"{PERMISSION_VERBS[verb]} {what}" if verb in PERMISSION_VERBS else permission.name
    return f"{app} | {what} | {text}"


class PermissionsInVietnamese(admin.ModelAdmin):
    """For a ModelAdmin editing permissions (users, groups): their choices in Vietnamese."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions") and isinstance(
            field, ModelMultipleChoiceField
        ):
            field.label_from_instance = permission_label  # type: ignore[method-assign,assignment]
        return field


def boolean_icon(field_val):
    name = {True: "yes", False: "no", None: "unknown"}[field_val]
    return format_html(
        '<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), BOOLEAN_TEXT[field_val]
    )


def _moment(value) -> str:
    return localtime(value).strftime("%H:%M:%S %d/%m/%Y") if value else "?"


AXES_NAMES = {
    "AccessLog": lambda row: f"Đăng nhập của {row.username} lúc {_moment(row.attempt_time)}",
    "AccessAttempt": lambda row: f"Lần thử đăng nhập lúc {_moment(row.attempt_time)}",
    "AccessFailureLog": lambda row: (
        f"Đăng nhập sai: {row.username}{' (bị khóa)' if row.locked_out else ''} lúc "
        f"{_moment(row.attempt_time)} từ {row.ip_address}"
    ),
}


def install() -> None:
    name_third_party_apps()
    if apps.is_installed("axes"):
        for model in apps.get_app_config("axes").get_models():
            if model.__name__ in AXES_NAMES:
                model.__str__ = AXES_NAMES[model.__name__]  # type: ignore[method-assign]
    # display_for_field imports it from this module when it runs: both the lists and the
    # read-only fields use ours.
    admin_list._boolean_icon = boolean_icon  # type: ignore[attr-defined]
