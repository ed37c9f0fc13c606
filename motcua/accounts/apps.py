from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "motcua.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        # django.contrib.auth and django-axes announce sign-in failures and lock-outs as signals;
        # the account pause counts the former, the audit log records the latter.
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from motcua.accounts import signin

        user_login_failed.connect(signin.on_login_failed, dispatch_uid="motcua.accounts.signin.failed")
        user_locked_out.connect(signin.on_locked_out, dispatch_uid="motcua.accounts.signin.locked_out")
