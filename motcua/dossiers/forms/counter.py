"""Forms of the counter pages (/quay/): the new dossier (applicant, documents, scans, delivery,
refusal reason, supplement items) and returning a result.

Forms only check what a person typed; the rules (the procedure is offered here, the dossier is
in a state that allows the action, the officer's rights) are the services' to enforce.
"""

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.text import slugify

from motcua.catalog.models import RequiredDocument
from motcua.dossiers.files import validate_upload
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services import (
    MAX_SUPPLEMENT_ITEMS,
    ApplicantData,
    DocumentInput,
    applicant_problems,
    supplement_item_problem,
)
from motcua.dossiers.services.intake import (
    documents_for_channel,
    is_required,
    missing_documents_message,
    missing_mandatory,
)
from motcua.lib.errors import InvalidInput

ACCEPTED_SCANS = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


# The service's names of the applicant's fields, and the form's.
APPLICANT_FIELDS = {
    "applicant.name": "full_name",
    "applicant.citizen_id": "citizen_id",
    "citizen_id": "citizen_id",
    "applicant.date_of_birth": "date_of_birth",
    "applicant.tax_code": "tax_code",
    "applicant.representative": "representative",
    "applicant.phone": "phone",
    "applicant.email": "email",
}


def code_from_scan(value: str) -> str:
    """The dossier code in what a barcode/QR scanner typed: the code itself, or the tracking
    address printed as a QR code on Mẫu 01 (``…/tra-cuu/?ma=<code>&…``)."""
    value = (value or "").strip()
    if "?" in value or "://" in value:
        codes = parse_qs(urlsplit(value).query).get("ma")
        if codes:
            value = codes[0].strip()
    return value.upper()


class VietnameseDateInput(forms.TextInput):
    def __init__(self, attrs=None):
        base = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "bday"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        return super().format_value(value)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_SCANS}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


REQUIRED = {"required": "Thông tin này là bắt buộc."}


def _copy_kind_and_count(document) -> tuple[str, int]:
    """The copy kind and number the catalogue asks for (the first of original, certified, copy)."""
    for kind, count in (
        (DossierDocument.CopyKind.ORIGINAL, document.original_count),
        (DossierDocument.CopyKind.CERTIFIED_COPY, document.certified_copy_count),
        (DossierDocument.CopyKind.PHOTOCOPY, document.photocopy_count),
    ):
        if count:
            return kind, count
    return DossierDocument.CopyKind.ORIGINAL, 1


# The value of a choice that is another requirement of the procedure (``alternative_of``).
SUBSTITUTE = "tp:"


def alternative_choices(document, substitutes) -> list[tuple[str, str]]:
    """The papers that satisfy ``document``'s line: its own alternatives ("1", "2" …: the
    number the service takes; "0": the document itself), then the documents that may replace
    it ("tp:<code>")."""
    own = [(str(n), name) for n, name in enumerate(document.alternatives, start=1)]
    if substitutes and not own:
        own = [("0", document.name)]
    return own + [(f"{SUBSTITUTE}{s.code}", s.name) for s in substitutes]


class DocumentRow:
    """One line of the checklist: a required document, the papers any one of which satisfies
    it (``alternative``: a choice, None when there is only one) and its bound fields."""

    def __init__(self, form: "IntakeForm", document, key: str):
        self.document = document
        self.key = key
        self.received = form[f"{key}_received"]
        self.alternative = form[f"{key}_alternative"] if f"{key}_alternative" in form.fields else None
        self.copy_kind = form[f"{key}_copy_kind"]
        self.count = form[f"{key}_count"]
        self.files = form[f"{key}_files"]
        self.mandatory = is_required(document)
        self.catalogue_counts = [
            (label, n)
            for label, n in (
                ("bản chính", document.original_count),
                ("bản sao có chứng thực", document.certified_copy_count),
                ("bản sao", document.photocopy_count),
            )
            if n
        ]

    @property
    def errors(self) -> list[str]:
        alternative = self.alternative.errors if self.alternative is not None else []
        return [
            *self.received.errors,
            *alternative,
            *self.copy_kind.errors,
            *self.count.errors,
            *self.files.errors,
        ]


class IntakeForm(forms.Form):
    """The new dossier at the counter: one form, three outcomes (``action``).

    The checklist holds the documents of the dossier's channel only (``channel``, the counter by
    default: never the online e-form); a requirement several papers satisfy is one line with a
    choice of which one was handed in. receive: the service's rule (``missing_mandatory``) must
    hold on what is ticked; refuse: a reason;
    supplement: what is missing and why (items; pre-filled with the unticked mandatory
    documents when none were given).
    """

    ACTIONS = {"receive": "Tiếp nhận", "refuse": "Từ chối tiếp nhận", "supplement": "Yêu cầu bổ sung"}

    action = forms.ChoiceField(choices=list(ACTIONS.items()), widget=forms.HiddenInput, initial="receive")
    idempotency_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

    kind = forms.ChoiceField(
        label="Người nộp hồ sơ",
        choices=Dossier.ApplicantKind.choices,
        initial=Dossier.ApplicantKind.PERSON,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    full_name = forms.CharField(
        label="Họ và tên",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    citizen_id = forms.CharField(
        label="Số định danh cá nhân",
        max_length=20,
        required=False,
        help_text="12 chữ số, in trên thẻ căn cước.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        label="Ngày sinh",
        required=False,
        input_formats=["%d/%m/%Y"],
        help_text="Ngày/tháng/năm, ví dụ 05/09/1990.",
        widget=VietnameseDateInput(),
        error_messages={"invalid": "Ngày sinh phải theo dạng ngày/tháng/năm, ví dụ 05/09/1990."},
    )
    org_name = forms.CharField(label="Tên tổ chức, doanh nghiệp", max_length=300, required=False)
    tax_code = forms.CharField(
        label="Mã số thuế",
        max_length=14,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    representative = forms.CharField(label="Người đại diện theo pháp luật", max_length=200, required=False)
    phone = forms.CharField(
        label="Điện thoại",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label="Thư điện tử",
        required=False,
        error_messages={"invalid": "Địa chỉ thư điện tử không hợp lệ, ví dụ: ten@example.vn."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.CharField(
        label="Địa chỉ",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    result_delivery = forms.ChoiceField(
        label="Hình thức nhận kết quả",
        choices=Dossier.ResultDelivery.choices,
        initial=Dossier.ResultDelivery.COUNTER,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    refusal_reason = forms.CharField(
        label="Lý do từ chối tiếp nhận",
        required=False,
        max_length=2000,
        help_text="Bắt buộc khi từ chối; in trên Mẫu 03.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Channel 3: the number of the consignment the dossier came in (on the envelope).
    postal_number = forms.CharField(
        label="Mã bưu gửi của hồ sơ",
        max_length=60,
        required=False,
        help_text="In trên phong bì hoặc phiếu gửi của bưu điện, ví dụ EB123456789VN.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    supplement_note = forms.CharField(
        label="Ghi chú hướng dẫn bổ sung",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, procedure, handling_choices=(), channel=Dossier.Channel.COUNTER, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.channel = channel
        if handling_choices:
            # A public service centre receives for several agencies: which one handles it.
            choices = [(a.code, a.name) for a in handling_choices]
            if len(choices) > 1:
                choices.insert(0, ("", "— Chọn cơ quan giải quyết —"))
            self.fields["handling_agency"] = forms.ChoiceField(
                label="Cơ quan giải quyết",
                choices=choices,
                error_messages={
                    "required": "Chọn cơ quan giải quyết hồ sơ.",
                    "invalid_choice": "Cơ quan này không giải quyết thủ tục đã chọn.",
                },
            )
        # Only the documents of this channel: at the counter, never the online e-form.
        self.documents = documents_for_channel(procedure.documents.all(), channel)
        codes = {d.code for d in self.documents}
        # A document that may replace another of this channel is a choice on that one's line.
        self.substitutes: dict[str, list[RequiredDocument]] = {}
        for document in self.documents:
            if document.alternative_of in codes:
                self.substitutes.setdefault(document.alternative_of, []).append(document)
        self.keys: dict[str, RequiredDocument] = {}
        for document in self.documents:
            if document.alternative_of in codes:
                continue
            key = "tp_" + (slugify(document.code).replace("-", "_") or str(document.pk))
            if key in self.keys:  # codes that differ only in punctuation
                key = f"{key}_{document.pk}"
            self.keys[key] = document
            kind, count = _copy_kind_and_count(document)
            self.fields[f"{key}_received"] = forms.BooleanField(label="Đã nhận", required=False)
            choices = alternative_choices(document, self.substitutes.get(document.code, []))
            if len(choices) > 1:
                self.fields[f"{key}_alternative"] = forms.ChoiceField(
                    label="Giấy tờ đã nhận",
                    choices=choices,
                    initial=choices[0][0],
                    required=False,
                    widget=forms.RadioSelect,
                    error_messages={"invalid_choice": "Chọn một trong các giấy tờ đã liệt kê."},
                )
            self.fields[f"{key}_copy_kind"] = forms.ChoiceField(
                label="Loại bản",
                choices=DossierDocument.CopyKind.choices,
                initial=kind,
                error_messages=REQUIRED,
            )
            self.fields[f"{key}_count"] = forms.IntegerField(
                label="Số lượng",
                min_value=1,
                max_value=99,
                initial=count,
                required=False,
                error_messages={
                    "invalid": "Số lượng phải là số nguyên.",
                    "min_value": "Số lượng ít nhất là 1.",
                    "max_value": "Số lượng nhiều nhất là 99.",
                },
            )
            self.fields[f"{key}_files"] = MultipleFileField(label="Tệp quét (PDF, JPEG, PNG)", required=False)
        self.item_count = self._item_rows()
        for n in range(self.item_count):
            self.fields[f"item_{n}_name"] = forms.CharField(
                label=f"Giấy tờ, nội dung cần bổ sung {n + 1}", max_length=500, required=False
            )
            self.fields[f"item_{n}_reason"] = forms.CharField(
                label=f"Lý do {n + 1}", max_length=1000, required=False
            )

    def _item_rows(self) -> int:
        """Rows for supplement items: those posted (non-empty), plus two blank ones to add to."""
        if not self.is_bound:
            return 2
        filled = 0
        for n in range(MAX_SUPPLEMENT_ITEMS):
            if (self.data.get(f"item_{n}_name") or "").strip() or (
                self.data.get(f"item_{n}_reason") or ""
            ).strip():
                filled = n + 1
        return min(max(filled + 2, 2), MAX_SUPPLEMENT_ITEMS)

    # -- what the template reads --------------------------------------------------------------

    def document_rows(self) -> list[DocumentRow]:
        return [DocumentRow(self, document, key) for key, document in self.keys.items()]

    def item_rows(self) -> list[tuple]:
        return [(n + 1, self[f"item_{n}_name"], self[f"item_{n}_reason"]) for n in range(self.item_count)]

    def applicant_fields(self, names: str) -> list:
        return [self[name] for name in names.split()]

    # -- validation --------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        super().clean()  # Form's returns cleaned_data, the dict read here
        data = self.cleaned_data
        action = data.get("action") or "receive"
        if self.channel == Dossier.Channel.POST:
            from motcua.dossiers import postal
            from motcua.lib.errors import InvalidInput

            try:
                data["postal_number"] = postal.clean_number(data.get("postal_number"))
            except InvalidInput as exc:
                self.add_error("postal_number", exc.message)
        self._clean_applicant(data)
        self._clean_documents(data, action)
        if action == "refuse" and not (data.get("refusal_reason") or "").strip():
            self.add_error("refusal_reason", "Nhập lý do từ chối tiếp nhận (in trên Mẫu 03).")
        if action == "supplement":
            self._clean_items(data)
        return data

    def _clean_applicant(self, data: dict) -> None:
        """The service's rules (``applicant_problems``), each problem shown on its field."""
        person = data.get("kind") == Dossier.ApplicantKind.PERSON
        if data.get("kind") not in Dossier.ApplicantKind.values:
            return
        applicant = ApplicantData(
            kind=data["kind"],
            name=data.get("full_name" if person else "org_name") or "",
            citizen_id=data.get("citizen_id") or "" if person else "",
            date_of_birth=data.get("date_of_birth") if person else None,
            tax_code="" if person else data.get("tax_code") or "",
            representative="" if person else data.get("representative") or "",
            phone=data.get("phone") or "",
        )
        for problem in applicant_problems(applicant):
            field = APPLICANT_FIELDS.get(problem.details.get("field", ""), "")
            if field == "full_name" and not person:
                field = "org_name"
            if field == "date_of_birth" and "date_of_birth" not in data:
                continue  # the date itself could not be read: that error is shown already
            if field not in self.errors:
                self.add_error(field or None, problem.message)

    def _clean_documents(self, data: dict, action: str) -> None:
        for key, _document in self.keys.items():
            received = data.get(f"{key}_received")
            files = data.get(f"{key}_files") or []
            if received and not data.get(f"{key}_count"):
                self.add_error(f"{key}_count", "Nhập số lượng bản đã nhận.")
            if received and f"{key}_alternative" in self.fields and not data.get(f"{key}_alternative"):
                self.add_error(f"{key}_alternative", "Chọn giấy tờ đã nhận.")
            if files and not received:
                self.add_error(f"{key}_files", "Đánh dấu đã nhận giấy tờ này, hoặc bỏ các tệp đã chọn.")
            for upload in files:
                problem = self.file_problem(upload)
                if problem:
                    self.add_error(f"{key}_files", problem)
        # The rule of the service (dossier_receive), on what this form would send it.
        given = {document.code for document, *_ in self.received_documents(data)}
        missing = missing_mandatory(self.documents, given)
        self.missing_documents = missing
        if action == "receive" and missing:
            for key, document in self.keys.items():
                if document in missing:
                    self.add_error(f"{key}_received", "Giấy tờ bắt buộc chưa nhận.")
            self.add_error(
                None,
                missing_documents_message(missing, self.channel)
                + ". Chưa thể tiếp nhận: hãy đánh dấu giấy tờ đã nhận, hoặc chọn «Yêu cầu bổ sung».",
            )

    def file_problem(self, upload) -> str | None:
        """Why a scan cannot join the dossier (the core's check: type from content, size)."""
        try:
            validate_upload(upload)
        except InvalidInput as exc:
            return exc.message
        upload.seek(0)
        return None

    def _clean_items(self, data: dict) -> None:
        items = []
        for n in range(self.item_count):
            name = (data.get(f"item_{n}_name") or "").strip()
            reason = (data.get(f"item_{n}_reason") or "").strip()
            problem = supplement_item_problem(name, reason)
            if problem:
                self.add_error(f"item_{n}_{problem[0]}", problem[1])
            elif name:
                items.append((name, reason))
        data["items"] = items
        if items or any(k.startswith("item_") for k in self.errors):
            return
        # Nothing listed yet: offer the unticked mandatory documents as the items, for the
        # officer to give a reason for each (Mẫu 02 says what is missing *and why*).
        self.prefill_items([d.name for d in self.missing_documents])
        self.add_error(
            None,
            "Liệt kê giấy tờ, nội dung cần bổ sung và lý do cho từng mục, rồi bấm lại «Yêu cầu bổ sung»."
            if self.missing_documents
            else "Liệt kê ít nhất một giấy tờ, nội dung cần bổ sung và lý do.",
        )

    def prefill_items(self, names: list[str]) -> None:
        """Show ``names`` as supplement items (each still needing its reason) in the re-rendered form."""
        if not names:
            return
        # A bound form's data is request.POST (immutable): a mutable copy of it.
        data = self.data.copy() if isinstance(self.data, MultiValueDict) else {**self.data}
        for n, name in enumerate(names[:MAX_SUPPLEMENT_ITEMS]):
            data[f"item_{n}_name"] = name
        self.data = data
        self.item_count = min(len(names) + 2, MAX_SUPPLEMENT_ITEMS)
        for n in range(self.item_count):
            self.fields.setdefault(
                f"item_{n}_name",
                forms.CharField(
                    label=f"Giấy tờ, nội dung cần bổ sung {n + 1}", max_length=500, required=False
                ),
            )
            self.fields.setdefault(
                f"item_{n}_reason", forms.CharField(label=f"Lý do {n + 1}", max_length=1000, required=False)
            )
            if n < len(names):
                # Called from clean(): ``errors`` is the dict being filled, not a new validation.
                self.errors.setdefault(f"item_{n}_reason", self.error_class(["Ghi rõ lý do cần bổ sung."]))

    # -- results ------------------------------------------------------------------------------

    def _chosen(self, key: str, document, data: dict) -> tuple[RequiredDocument, int | None]:
        """The requirement a ticked line was satisfied by, and which of its alternatives."""
        choice = data.get(f"{key}_alternative") or ""
        if choice.startswith(SUBSTITUTE):
            code = choice[len(SUBSTITUTE) :]
            for substitute in self.substitutes.get(document.code, []):
                if substitute.code == code:
                    return substitute, None
        return document, (int(choice) if choice.isdigit() else 0) or None

    def received_documents(
        self, data: dict | None = None
    ) -> list[tuple[RequiredDocument, str, int, list[Any]]]:
        """(catalogue document handed in, copy kind, count, uploaded files) of every ticked line."""
        data = self.cleaned_data if data is None else data
        rows = []
        for key, line in self.keys.items():
            if data.get(f"{key}_received"):
                document, _ = self._chosen(key, line, data)
                rows.append(
                    (
                        document,
                        data.get(f"{key}_copy_kind") or DossierDocument.CopyKind.ORIGINAL,
                        data.get(f"{key}_count") or 1,
                        data.get(f"{key}_files") or [],
                    )
                )
        return rows

    def document_inputs(self) -> list[DocumentInput]:
        """The service's ``DocumentInput`` of every ticked line (with the alternative chosen)."""
        data = self.cleaned_data
        inputs = []
        for key, line in self.keys.items():
            if data.get(f"{key}_received"):
                document, alternative = self._chosen(key, line, data)
                inputs.append(
                    DocumentInput(
                        requirement=document.code,
                        copy_kind=data[f"{key}_copy_kind"],
                        count=data.get(f"{key}_count") or 1,
                        alternative=alternative,
                    )
                )
        return inputs

    def applicant_name(self) -> str:
        data = self.cleaned_data
        if data["kind"] == Dossier.ApplicantKind.ORGANISATION:
            return data["org_name"].strip()
        return data["full_name"].strip()


class ReturnForm(forms.Form):
    """Handing the result over: to the applicant (or someone they sent) at the counter, or to the post."""

    METHODS = [("counter", "Trao tại quầy"), ("post", "Gửi qua bưu chính")]

    code = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    method = forms.ChoiceField(
        label="Hình thức trả",
        choices=METHODS,
        initial="counter",
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    collected_by = forms.CharField(label="Họ tên người nhận kết quả", max_length=150, required=False)
    collector_id = forms.CharField(
        label="Số giấy tờ tùy thân của người nhận (không bắt buộc)",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    postal_tracking = forms.CharField(label="Mã bưu gửi", max_length=60, required=False)

    def __init__(self, *args, **kwargs) -> None:
        from motcua.dossiers import postal

        super().__init__(*args, **kwargs)
        # With the operator's API, the number comes from the post: the officer may leave it empty.
        self.postal_number_required = not postal.operator_configured()
        if not self.postal_number_required:
            self.fields[
                "postal_tracking"
            ].help_text = "Để trống: hệ thống gửi yêu cầu cho bưu điện và tự ghi mã bưu gửi bưu điện cấp."

    def clean(self) -> dict[str, Any]:
        super().clean()  # Form's returns cleaned_data, the dict read here
        data = self.cleaned_data
        if data.get("method") == "counter":
            if not (data.get("collected_by") or "").strip():
                self.add_error("collected_by", "Nhập họ tên người nhận kết quả.")
            collector_id = "".join((data.get("collector_id") or "").split())
            data["collector_id"] = collector_id
            if collector_id and not (collector_id.isalnum() and 8 <= len(collector_id) <= 12):
                self.add_error(
                    "collector_id", "Số giấy tờ gồm 8 đến 12 chữ số hoặc chữ cái (căn cước, hộ chiếu)."
                )
        elif data.get("method") == "post":
            if not (data.get("postal_tracking") or "").strip() and self.postal_number_required:
                self.add_error("postal_tracking", "Nhập mã bưu gửi do bưu điện cấp.")
        return data

    def collected_by_text(self) -> str:
        data = self.cleaned_data
        if data["method"] != "counter":
            return ""
        name = data["collected_by"].strip()
        return f"{name} (số giấy tờ {data['collector_id']})" if data.get("collector_id") else name
