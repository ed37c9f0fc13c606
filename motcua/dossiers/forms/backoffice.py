"""Forms of the back office: one form per action, built from what the action needs.

An action (``motcua.dossiers.actions.ACTIONS``) names its inputs in ``needs`` ("officer",
"to_agency", "note", "reason", …); ``ActionForm`` builds exactly those fields, with the choices
the view computed for this dossier (officers of the holding agency, earlier steps, agencies),
and ``service_kwargs()`` turns them into the keyword arguments of the action's service. The
hidden ``version`` is the dossier's version when the page was rendered: the service refuses
the action if somebody changed the dossier meanwhile (optimistic locking).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from motcua.accounts.models import User
from motcua.dossiers.services import SupplementItem, supplement_item_problem
from motcua.org.models import Agency
from motcua.workcalendar.calendar import VN_TZ

DATETIME_FORMAT = "%d/%m/%Y %H:%M"
SUPPLEMENT_ROWS = 3


@dataclass
class ActionChoices:
    """What the selects of the action forms offer, computed once per page: each list is read
    from the database once (``listed``), however many of the page's forms offer it."""

    officers: QuerySet[User] | None = None  # staff of the holding agency (assign)
    forward_officers: QuerySet[User] | None = None  # staff of the holding and handling agencies
    agencies: QuerySet[Agency] | None = None  # where a dossier may be forwarded
    earlier_steps: list[tuple[int, str]] = field(default_factory=list)  # (seq, label)
    _read: dict[str, list[Any]] = field(default_factory=dict, repr=False)

    def listed(self, name: str) -> list[Any]:
        """The rows of the queryset ``name`` ("officers", "forward_officers", "agencies"), read
        on the first call; none when the page offers none."""
        if name not in self._read:
            queryset = getattr(self, name)
            self._read[name] = [] if queryset is None else list(queryset)
        return self._read[name]


class _PageOptions(forms.models.ModelChoiceIterator):
    """A select's options from the page's list (``ActionChoices.listed``). Django's own iterator
    runs the field's query again for each form that draws it; a choice sent back is still checked
    against the query itself (``ModelChoiceField.to_python``)."""

    def _options(self) -> list[Any]:
        return cast("_PageChoiceField", self.field).options()

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self._options():
            yield self.choice(obj)

    def __len__(self) -> int:
        return len(self._options()) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self._options())


class _PageChoiceField(forms.ModelChoiceField):
    iterator = _PageOptions

    def __init__(self, *args: Any, options: Callable[[], list[Any]], **kwargs: Any) -> None:
        self.options = options  # the rows to offer
        super().__init__(*args, **kwargs)


class OfficerChoiceField(_PageChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name()


class AgencyChoiceField(_PageChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.code})"


def parse_local_datetime(value: str) -> datetime:
    """ "dd/mm/yyyy HH:MM" in Vietnam's time → an aware datetime; ValueError if malformed."""
    naive = datetime.strptime(value.strip(), DATETIME_FORMAT)  # noqa: DTZ007 — made aware below
    return naive.replace(tzinfo=VN_TZ)


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, data=None, *, action, choices: ActionChoices | None = None, **kwargs):
        auto_id = kwargs.setdefault("auto_id", f"id_{action.name}_%s")
        super().__init__(data, **kwargs)
        self.action = action
        self.choices = choices or ActionChoices()
        self.needs = list(action.needs)
        for need in self.needs:
            self._add(need)
        for name, form_field in self.fields.items():
            if form_field.help_text:
                form_field.widget.attrs["aria-describedby"] = f"{auto_id % name}_help"

    # -- fields ---------------------------------------------------------------------------

    def _add(self, need: str) -> None:
        name = self.action.name
        required = need in self.action.required
        if need == "officer":
            which = "forward_officers" if name == "forward" else "officers"
            officers = getattr(self.choices, which)
            self.fields["officer"] = OfficerChoiceField(
                label="Cán bộ xử lý" if required else "Cán bộ nhận (không bắt buộc)",
                queryset=officers if officers is not None else _no_users(),
                options=lambda: self.choices.listed(which),
                required=required,
                empty_label="— Chọn cán bộ —" if required else "— Để lãnh đạo đơn vị phân công —",
                error_messages={
                    "required": "Hãy chọn cán bộ xử lý.",
                    "invalid_choice": "Cán bộ được chọn không thuộc cơ quan đang giữ hồ sơ.",
                },
            )
        elif need == "to_agency":
            self.fields["to_agency"] = AgencyChoiceField(
                label="Chuyển đến cơ quan",
                queryset=self.choices.agencies
                if self.choices.agencies is not None
                else Agency.objects.none(),
                options=lambda: self.choices.listed("agencies"),
                to_field_name="code",
                required=False,
                empty_label="— Bước tiếp theo của quy trình —",
                help_text="Để trống: chuyển sang bước kế tiếp theo quy trình của thủ tục.",
                error_messages={"invalid_choice": "Cơ quan được chọn không hợp lệ."},
            )
        elif need == "to_seq":
            self.fields["to_seq"] = forms.TypedChoiceField(
                label="Trả về bước",
                choices=[("", "— Chọn bước —"), *self.choices.earlier_steps],
                coerce=int,
                error_messages={
                    "required": "Hãy chọn bước cần trả về.",
                    "invalid_choice": "Bước được chọn không hợp lệ.",
                },
            )
        elif need == "note":
            self.fields["note"] = forms.CharField(
                label="Lý do trả lại" if name == "send-back" else "Ghi chú",
                required=required,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": "Hãy ghi lý do trả lại."},
            )
        elif need == "reason":
            self.fields["reason"] = forms.CharField(
                label="Lý do",
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": "Hãy ghi rõ lý do."},
            )
        elif need == "items":
            for i in range(1, SUPPLEMENT_ROWS + 1):
                self.fields[f"item_name_{i}"] = forms.CharField(
                    label=f"Giấy tờ cần bổ sung {i}", required=False, max_length=300
                )
                self.fields[f"item_reason_{i}"] = forms.CharField(
                    label=f"Lý do {i}", required=False, max_length=500
                )
        elif need == "new_due_at":
            self.fields["new_due_at"] = forms.CharField(
                label="Ngày hẹn trả mới",
                max_length=16,
                help_text="Dạng dd/mm/yyyy HH:MM, ví dụ 25/12/2026 16:00",
                widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "dd/mm/yyyy HH:MM"}),
                error_messages={"required": "Hãy nhập ngày hẹn trả mới."},
            )
        elif need == "collected_by":
            self.fields["collected_by"] = forms.CharField(
                label="Người nhận kết quả", required=required, max_length=200
            )
        elif need == "postal_tracking":
            self.fields["postal_tracking"] = forms.CharField(
                label="Mã bưu gửi (gửi qua bưu chính)", required=required, max_length=60
            )
        elif need == "body":
            self.fields["body"] = forms.CharField(
                label="Nội dung", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
            )
        else:  # an input this page does not know yet: a plain text box named after it
            self.fields[need] = forms.CharField(label=need, required=False, max_length=2000)

    # -- validation -----------------------------------------------------------------------

    def clean_new_due_at(self) -> datetime:
        try:
            return parse_local_datetime(self.cleaned_data["new_due_at"])
        except ValueError:
            raise forms.ValidationError(
                "Ngày hẹn trả mới phải có dạng dd/mm/yyyy HH:MM, ví dụ 25/12/2026 16:00."
            ) from None

    def clean(self) -> dict[str, Any]:
        super().clean()  # Form's returns cleaned_data, the dict read here
        data = self.cleaned_data
        if "items" in self.needs:
            items = []
            for i in range(1, SUPPLEMENT_ROWS + 1):
                name = (data.get(f"item_name_{i}") or "").strip()
                reason = (data.get(f"item_reason_{i}") or "").strip()
                problem = supplement_item_problem(name, reason)
                if problem:
                    self.add_error(f"item_{problem[0]}_{i}", problem[1])
                elif name:
                    items.append((name, reason))
            if not items and not self.errors:
                self.add_error("item_name_1", "Hãy ghi ít nhất một giấy tờ cần bổ sung và lý do.")
            data["items"] = items
        return data

    @property
    def item_rows(self) -> list[tuple]:
        """(name field, reason field) pairs for the template."""
        return [(self[f"item_name_{i}"], self[f"item_reason_{i}"]) for i in range(1, SUPPLEMENT_ROWS + 1)]

    def service_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of the action's service (without actor/dossier/version)."""
        data = self.cleaned_data
        kwargs: dict[str, Any] = {}
        for need in self.needs:
            if need == "items":
                kwargs["items"] = [SupplementItem(name=n, reason=r) for n, r in data["items"]]
            elif need in ("note", "reason", "collected_by", "postal_tracking", "body"):
                kwargs[need] = (data.get(need) or "").strip()
            else:
                kwargs[need] = data.get(need)
        return kwargs


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Ý kiến mới",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Hãy nhập nội dung ý kiến."},
    )


def _no_users():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.none()
