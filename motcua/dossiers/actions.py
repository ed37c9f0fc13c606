"""The transitions a page or the API can offer on an existing dossier, by kebab-case name.

Asking for a payment and recording one are not among them: they go through the payments app
(``/thu-phi/<mã>/``, ``/api/v1/dossiers/{code}/payment/…``), which names what is due, for what and
by when, records how it was paid and issues the receipt; its services call
``dossier_request_payment`` and ``dossier_record_payment`` for the dossier's side.

``Action.needs`` lists the inputs the service takes beyond ``actor``, ``dossier`` and
``expected_version`` (``required`` those that must be filled); ``rule`` names the entry of
``services.RULES`` that decides state and roles.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from motcua.dossiers import services
from motcua.dossiers.models import Dossier


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    service: Callable[..., Dossier]
    needs: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    rule: str = ""
    danger: bool = False

    def rule_for(self, dossier: Dossier) -> str:
        if self.name == "request-supplement" and dossier.state in (
            services.State.SUBMITTED,
            services.State.INTAKE_SUPPLEMENT,
        ):
            return "request-supplement-intake"
        return self.rule or self.name


def _a(
    name: str,
    label: str,
    service: Callable[..., Dossier],
    needs: Iterable[str] = (),
    required: Iterable[str] = (),
    danger: bool = False,
) -> Action:
    return Action(
        name=name, label=label, service=service, needs=list(needs), required=list(required), danger=danger
    )


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        _a("receive", "Tiếp nhận", services.dossier_receive),
        _a("refuse", "Từ chối tiếp nhận", services.dossier_refuse, ["reason"], ["reason"], danger=True),
        _a(
            "request-supplement",
            "Yêu cầu bổ sung",
            services.dossier_request_supplement,
            ["items", "note"],
            ["items"],
        ),
        _a("receive-supplement", "Nhận hồ sơ bổ sung", services.dossier_receive_supplement, ["note"]),
        _a("assign", "Phân công xử lý", services.dossier_assign, ["officer"], ["officer"]),
        _a("forward", "Chuyển xử lý", services.dossier_forward, ["to_agency", "officer", "note"]),
        _a(
            "send-back",
            "Trả lại bước trước",
            services.dossier_send_back,
            ["to_seq", "note"],
            ["to_seq", "note"],
        ),
        _a("approve", "Phê duyệt", services.dossier_approve, ["note"]),
        _a("reject", "Không giải quyết", services.dossier_reject, ["reason"], ["reason"], danger=True),
        _a("stop", "Dừng xử lý", services.dossier_stop, ["reason"], ["reason"], danger=True),
        _a("withdraw", "Rút hồ sơ", services.dossier_withdraw, ["reason"], ["reason"], danger=True),
        _a(
            "extend",
            "Xin lỗi và gia hạn",
            services.dossier_extend,
            ["reason", "new_due_at"],
            ["reason", "new_due_at"],
        ),
        _a("finish", "Hoàn thành kết quả", services.dossier_finish, ["note"]),
        _a(
            "return-result",
            "Trả kết quả",
            services.dossier_return_result,
            ["collected_by", "postal_tracking"],
        ),
    )
}
