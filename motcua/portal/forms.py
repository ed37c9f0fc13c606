"""The portal's forms: they only collect what the citizen typed; the rules live in the dossier
services (``applicant_problems``, ``dossier_submit_online``) and the draft services."""

from django import forms

from motcua.dossiers.models import Dossier
from motcua.portal.wizard import WHOM_CHOICES


class WhomForm(forms.Form):
    whom = forms.ChoiceField(
        label="Nộp hồ sơ cho ai?",
        choices=list(WHOM_CHOICES.items()),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Vui lòng chọn người đứng tên hồ sơ.",
            "invalid_choice": "Lựa chọn không hợp lệ.",
        },
    )


class ApplicantForm(forms.Form):
    """The applicant (person or organisation) and, when submitting for them, the submitter."""

    name = forms.CharField(label="Họ và tên", max_length=300, required=False)
    citizen_id = forms.CharField(label="Số định danh cá nhân (12 chữ số)", max_length=20, required=False)
    date_of_birth = forms.DateField(
        label="Ngày sinh",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "invalid": "Ngày sinh không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 17/05/1990."
        },
    )
    tax_code = forms.CharField(label="Mã số thuế", max_length=20, required=False)
    representative = forms.CharField(label="Người đại diện theo pháp luật", max_length=200, required=False)
    phone = forms.CharField(label="Số điện thoại", max_length=20, required=False)
    email = forms.CharField(label="Thư điện tử", max_length=254, required=False)
    address = forms.CharField(label="Địa chỉ", max_length=500, required=False)
    submitter_name = forms.CharField(label="Họ và tên người nộp thay", max_length=200, required=False)
    submitter_citizen_id = forms.CharField(
        label="Số định danh cá nhân của người nộp thay", max_length=20, required=False
    )


class DeliveryForm(forms.Form):
    place = forms.CharField(required=False)
    result_delivery = forms.ChoiceField(
        label="Nhận kết quả",
        choices=Dossier.ResultDelivery.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    delivery_address = forms.CharField(
        label="Địa chỉ nhận kết quả qua bưu chính", max_length=500, required=False
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Lý do rút hồ sơ",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Vui lòng ghi lý do rút hồ sơ."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label="Tôi xác nhận muốn rút hồ sơ này",
        error_messages={"required": "Vui lòng đánh dấu xác nhận rút hồ sơ."},
    )


class SupplementForm(forms.Form):
    note = forms.CharField(
        label="Ghi chú cho cán bộ (nếu có)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
