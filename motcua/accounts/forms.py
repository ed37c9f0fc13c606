from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from motcua.accounts import signin

PAUSED = "account_paused"


class PausedAccountForm(AuthenticationForm):
    """Refuses, before the password is tried, an account paused by guessing from many addresses
    (``motcua.accounts.signin``) on a device that never signed in to it."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.request is not None:
            until = signin.paused_until(self.request, username)
            if until is not None:
                raise ValidationError(signin.paused_message(until), code=PAUSED)
        return super().clean()


class LoginForm(PausedAccountForm):
    """Django's sign-in form with Vietnamese labels and one message for every wrong pair.

    The message does not say which of the two was wrong, so that it does not reveal which
    user names exist.
    """

    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "inactive": "Tài khoản này đã bị khóa. Vui lòng liên hệ quản trị hệ thống.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].label = "Mật khẩu"
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})


class AdminLoginForm(PausedAccountForm, AdminAuthenticationForm):
    """The admin's sign-in form (/quan-tri/login/), paused the same way."""
