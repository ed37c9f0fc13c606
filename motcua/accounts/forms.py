from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from motcua.accounts import signin
from motcua.accounts.models import Profile, User
from motcua.lib.errors import InvalidInput
from motcua.lib.identifiers import clean_phone

PAUSED = "account_paused"


class PausedAccountForm(AuthenticationForm):
    """Refuses, before the password is tried, an account paused by guessing from many addresses
    (``motcua.accounts.signin``) on a device that never signed in to it."""

    def clean(self):
        username = self.cleaned_data.get("username")
        # A local account's user name is its phone number in national form: "0912 345 678" and
        # "+84912345678" sign in to it as well.
        if username and (phone := phone_shaped(username)):
            self.cleaned_data["username"] = username = phone
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
        self.fields["username"].label = "Tên đăng nhập hoặc số điện thoại"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].label = "Mật khẩu"
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})


class AdminLoginForm(PausedAccountForm, AdminAuthenticationForm):
    """The admin's sign-in form (/quan-tri/login/), paused the same way."""


def phone_shaped(value: str) -> str | None:
    """``value`` as a phone number in its national form when it looks like one, else None."""
    try:
        return clean_phone(value) or None
    except InvalidInput:
        return None


class PlainForm(forms.Form):
    """Labels without Django's trailing colon, as the project's other forms write them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class RegisterForm(PlainForm):
    kind = forms.ChoiceField(
        label="Loại tài khoản",
        choices=[
            (User.Kind.CITIZEN, "Cá nhân (công dân)"),
            (User.Kind.ORGANISATION, "Tổ chức, doanh nghiệp"),
        ],
        initial=User.Kind.CITIZEN,
        widget=forms.RadioSelect,
    )
    full_name = forms.CharField(
        label="Họ và tên (hoặc tên tổ chức)",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Nhập họ và tên (hoặc tên tổ chức)."},
    )
    phone = forms.CharField(
        label="Số điện thoại",
        max_length=20,
        help_text="Mã xác thực sẽ được gửi đến số này qua tin nhắn SMS; số này cũng là tên đăng nhập.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": "Nhập số điện thoại."},
    )
    password = forms.CharField(
        label="Mật khẩu",
        strip=False,
        help_text="Ít nhất 10 ký tự, không quá đơn giản và không chỉ gồm chữ số.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Nhập mật khẩu."},
    )
    password2 = forms.CharField(
        label="Nhập lại mật khẩu",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Nhập lại mật khẩu."},
    )

    def clean(self):
        data = super().clean() or {}
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", "Hai mật khẩu không khớp nhau.")
        return data


class CodeForm(PlainForm):
    code = forms.CharField(
        label="Mã xác thực",
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ResetStartForm(PlainForm):
    phone = forms.CharField(
        label="Số điện thoại đã đăng ký",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": "Nhập số điện thoại."},
    )


class ResetCompleteForm(CodeForm):
    password = forms.CharField(
        label="Mật khẩu mới",
        strip=False,
        required=False,
        help_text="Ít nhất 10 ký tự, không quá đơn giản và không chỉ gồm chữ số.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Nhập lại mật khẩu mới",
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean() or {}
        if not data.get("password"):
            self.add_error("password", "Nhập mật khẩu mới.")
        elif data.get("password") != data.get("password2"):
            self.add_error("password2", "Hai mật khẩu không khớp nhau.")
        return data


class ProfileForm(PlainForm):
    """The fields of "Thông tin tài khoản"; which show depends on the account's kind (the view)."""

    full_name = forms.CharField(
        label="Họ và tên",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    citizen_id = forms.CharField(
        label="Số định danh cá nhân (CCCD)",
        max_length=20,
        required=False,
        help_text="12 chữ số.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    date_of_birth = forms.DateField(
        label="Ngày sinh",
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text="Ngày/tháng/năm, ví dụ 01/07/1990.",
        error_messages={
            "invalid": "Ngày sinh không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 01/07/1990."
        },
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"autocomplete": "bday", "placeholder": "dd/mm/yyyy"}
        ),
    )
    organisation_name = forms.CharField(
        label="Tên tổ chức",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    tax_code = forms.CharField(
        label="Mã số thuế",
        max_length=14,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    representative = forms.CharField(label="Người đại diện theo pháp luật", max_length=200, required=False)
    address = forms.CharField(
        label="Địa chỉ",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    email = forms.CharField(
        label="Thư điện tử",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    notify_channels = forms.MultipleChoiceField(
        label="Nhận thông báo về hồ sơ qua",
        choices=Profile.Notify.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    PERSON_FIELDS = ("full_name", "citizen_id", "date_of_birth", "address", "email", "notify_channels")
    ORGANISATION_FIELDS = (
        "organisation_name",
        "tax_code",
        "representative",
        "address",
        "email",
        "notify_channels",
    )

    def __init__(self, *args, kind: str, locked: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        keep = self.ORGANISATION_FIELDS if kind == User.Kind.ORGANISATION else self.PERSON_FIELDS
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name in locked:
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = "Đã xác thực qua định danh quốc gia (VNeID), không sửa được."


class OtpTokenForm(PlainForm):
    token = forms.CharField(
        label="Mã xác thực (6 chữ số)",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "Nhập mã gồm 6 chữ số hiển thị trên ứng dụng xác thực."},
    )
