"""The payments pages' forms: they collect what the officer typed; the rules (amounts, grounds,
who may act) live in motcua/payments/services.py."""

from __future__ import annotations

from typing import Any

from django import forms

from motcua.payments.models import Payment

VERSION_ERRORS = {
    "required": "Thiếu phiên bản hồ sơ, vui lòng tải lại trang.",
    "invalid": "Phiên bản hồ sơ không hợp lệ.",
}
AMOUNT_ERRORS = {
    "invalid": "Nhập số tiền bằng chữ số (đồng), ví dụ 50000.",
    "min_value": "Số tiền không được âm.",
    "max_value": "Số tiền quá lớn.",
}


class RequestForm(forms.Form):
    """Ask for payment: what for, by when, and for each line an exemption or reduction with its ground."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)
    purpose = forms.CharField(label="Nộp để", max_length=300, required=False)
    due_by = forms.DateField(
        label="Hạn nộp",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Hạn nộp không hợp lệ: nhập theo dạng ngày/tháng/năm."},
    )

    def __init__(self, *args: Any, lines: list[dict], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for i, line in enumerate(lines):
            self.fields[f"reduction_{i}"] = forms.IntegerField(
                label=f"Miễn, giảm cho “{line['label']}” (đồng)",
                required=False,
                min_value=0,
                max_value=10**15,
                error_messages=AMOUNT_ERRORS,
            )
            self.fields[f"ground_{i}"] = forms.CharField(
                label=f"Căn cứ miễn, giảm cho “{line['label']}”", max_length=300, required=False
            )

    def line_fields(self) -> list[tuple[dict, forms.BoundField, forms.BoundField]]:
        return [(line, self[f"reduction_{i}"], self[f"ground_{i}"]) for i, line in enumerate(self.lines)]

    def reductions(self) -> dict[int, tuple[int, str]]:
        data = self.cleaned_data
        return {
            i: (data.get(f"reduction_{i}") or 0, data.get(f"ground_{i}") or "")
            for i in range(len(self.lines))
            if data.get(f"reduction_{i}")
        }


class CounterPaymentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)
    method = forms.ChoiceField(
        label="Hình thức nộp",
        choices=[
            (Payment.Method.CASH, "Tiền mặt"),
            (Payment.Method.CARD, "Thẻ ngân hàng (máy POS)"),
            (Payment.Method.TRANSFER, "Chuyển khoản (đã thấy tiền về tài khoản)"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Vui lòng chọn hình thức nộp.",
            "invalid_choice": "Hình thức nộp không hợp lệ.",
        },
    )
    receipt_number = forms.CharField(
        label="Số biên lai, hóa đơn thẻ hoặc mã giao dịch ngân hàng", max_length=200, required=False
    )


class RefundForm(forms.Form):
    amount_vnd = forms.IntegerField(
        label="Số tiền hoàn (đồng)",
        min_value=1,
        max_value=10**15,
        error_messages={
            **AMOUNT_ERRORS,
            "required": "Vui lòng nhập số tiền hoàn.",
            "min_value": "Số tiền hoàn phải lớn hơn 0.",
        },
    )
    reason = forms.CharField(
        label="Lý do hoàn trả", max_length=300, error_messages={"required": "Vui lòng ghi lý do hoàn trả."}
    )
