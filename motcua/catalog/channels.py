"""Which channel a required document applies to, and which documents stand in for one another,
read from the published texts of the catalogue (issue 9, item 1).

Two distinct mechanisms:

- a **channel limit** on a document: the interactive e-form ("Mẫu … điện tử tương tác") exists
  only online; the paper declaration "nếu người có yêu cầu lựa chọn nộp hồ sơ theo hình thức
  trực tiếp hoặc gửi hồ sơ qua hệ thống bưu chính" applies at the counter and by post; an ID paper
  shown "khi làm thủ tục trực tiếp" applies at the counter only. ``RequiredDocument.channels``
  (empty: every channel).
- **alternatives** inside one requirement: "Giấy chứng sinh; trường hợp không có Giấy chứng
  sinh thì nộp …; nếu không có … thì phải có …", "Một trong các giấy tờ sau: A; B" — any one
  satisfies it (``RequiredDocument.alternatives``, the usual one first); or a separate document
  "Trường hợp không có Giấy chứng sinh thì …" that may be handed in instead of another
  (``RequiredDocument.alternative_of``).

Rules read the text only, literally; each classification carries a Vietnamese note saying which
rule decided it and, where the text looks contradictory, "cần xem lại". An officer's correction
(``classified_manually``) is never overwritten by a re-import (``services.merge_children``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction

from motcua.audit.services import audit_record
from motcua.catalog import services
from motcua.catalog.models import Channel, Procedure, channels_phrase

if TYPE_CHECKING:
    from motcua.accounts.models import AnyUser
from motcua.lib.text import fold

COUNTER, ONLINE, POST = Channel.COUNTER.value, Channel.ONLINE.value, Channel.POST.value
CLASSIFICATION_KEYS = services.CLASSIFICATION_KEYS

E_FORM = "dien tu tuong tac"
# "(nếu người có yêu cầu lựa chọn nộp hồ sơ theo hình thức trực tiếp hoặc gửi hồ sơ qua hệ
# thống bưu chính)", "(nếu nộp hồ sơ theo hình thức trực tiếp …)": the channel clause.
CHANNEL_CLAUSE = re.compile(r"\bneu (?:nguoi co yeu cau )?(?:lua chon )?nop ho so theo hinh thuc (.*)")
IN_PERSON = re.compile(r"\bkhi lam thu tuc truc tiep\b")
# "X; trường hợp không có X thì nộp Y; nếu không có Z thì phải có W".
FALLBACK = re.compile(
    r"^\s*(?:trường hợp|nếu)\s+(?:người yêu cầu\s+)?không có\s+(?P<what>.+?)\s+thì\s+(?P<then>.+)$",
    re.IGNORECASE | re.DOTALL,
)
# What follows "thì": the verb before the paper that replaces ("nộp", "phải có", "thay bằng" …).
REPLACEMENT_VERB = re.compile(
    r"^(?:.*?\b(?:được thay bằng|thay thế bằng|phải nộp|phải có|phải làm|nộp)\s*:?\s*)",
    re.IGNORECASE | re.DOTALL,
)
ONE_OF = re.compile(r"\bmột trong (?:các|những)\b[^:]*:\s*(?P<items>.+)$", re.IGNORECASE | re.DOTALL)
ABOVE = ("nêu trên", "trên đây")


@dataclass
class Classification:
    channels: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    alternative_of: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def note(self) -> str:
        return "; ".join(self.notes)


channels_label = channels_phrase


def _channels_in(text: str) -> list[str]:
    found = []
    if "truc tiep" in text:
        found.append(COUNTER)
    if "truc tuyen" in text:
        found.append(ONLINE)
    if "buu chinh" in text:
        found.append(POST)
    return found


def _sentence(text: str) -> str:
    """A clean alternative: trimmed, without a final full stop, first letter capitalised."""
    text = re.sub(r"\s+", " ", text).strip(" .;,+")
    return text[:1].upper() + text[1:] if text else ""


def _without_trailing_note(text: str) -> str:
    return re.sub(r"\s*\([^()]*\)\s*\.?\s*$", "", text)


def _twin_key(name: str) -> str:
    """A form's name without "điện tử tương tác" and its form number: an e-form and its paper
    twin (3.000333: Mẫu số 05/2025/LLTP and Mẫu số 02/2025/LLTP) share it."""
    key = fold(name).replace(E_FORM, " ")
    key = re.sub(r"\bmau so\b.*$", " ", key)
    return " ".join(key.split())


def _alternatives(name: str) -> tuple[list[str], str]:
    """The papers any one of which satisfies the requirement named ``name``, and how that was read."""
    one_of = ONE_OF.search(name)
    if one_of:
        items_text = _without_trailing_note(one_of.group("items"))
        separator = r"\s\+\s" if re.search(r"(^|\s)\+\s", items_text) else r";"
        items = [_sentence(part) for part in re.split(separator, items_text)]
        items = [i for i in items if i]
        if len(items) >= 2:
            return items, "“một trong các giấy tờ sau”: nộp một trong các giấy tờ liệt kê"
        return [], ""
    segments = [s for s in name.split(";") if s.strip()]
    if len(segments) < 2 or FALLBACK.match(segments[0]):
        return [], ""
    found = [_sentence(segments[0])]
    for segment in segments[1:]:
        fallback = FALLBACK.match(segment)
        if fallback is None:
            # "nếu trẻ em sinh ra ngoài cơ sở y tế thì giấy chứng sinh được thay bằng …"
            fallback = re.match(r"^\s*nếu\s+.+?\s+thì\s+(?P<then>.+)$", segment, re.IGNORECASE | re.DOTALL)
            if fallback is None or not re.search(r"thay (?:thế )?bằng", segment, re.IGNORECASE):
                continue
        then = REPLACEMENT_VERB.sub("", fallback.group("then"), count=1)
        if then.strip():
            found.append(_sentence(then))
    if len(found) < 2:
        return [], ""
    return found, "“trường hợp không có … thì”: nộp giấy tờ đầu tiên hoặc giấy tờ thay thế"


def classify(name: str, siblings: list[dict[str, Any]] | None = None) -> Classification:
    """How the document named ``name`` applies; ``siblings``: every document of the procedure
    (dicts with ``code`` and ``name``), for the rules that relate two documents."""
    siblings = siblings or []
    # Some published texts carry decomposed diacritics (u + combining hook): one form for the rules.
    name = unicodedata.normalize("NFC", name)
    folded = fold(name)
    result = Classification()
    is_e_form = E_FORM in folded
    clause = CHANNEL_CLAUSE.search(folded)
    if is_e_form:
        result.channels = [ONLINE]
        result.notes.append("mẫu điện tử tương tác: chỉ khi nộp trực tuyến")
        if clause and _channels_in(clause.group(1)) not in ([], [ONLINE]):
            result.notes.append(f"cần xem lại: văn bản còn ghi “{clause.group(1).strip()}”")
    elif clause and _channels_in(clause.group(1)):
        result.channels = _channels_in(clause.group(1))
        result.notes.append(
            f"“nếu … nộp hồ sơ theo hình thức …”: chỉ khi nộp {channels_label(result.channels)}"
        )
        has_e_form = any(E_FORM in fold(s.get("name") or "") for s in siblings)
        if ONLINE in result.channels and has_e_form:
            result.notes.append(
                "cần xem lại: tờ khai giấy ghi cả trực tuyến, trong khi thủ tục đã có mẫu điện tử tương tác"
            )
    elif IN_PERSON.search(folded):
        result.channels = [COUNTER]
        result.notes.append("“khi làm thủ tục trực tiếp”: chỉ khi nộp trực tiếp")
    else:
        key = _twin_key(name)
        twin = next(
            (
                s
                for s in siblings
                if E_FORM in fold(s.get("name") or "") and key and _twin_key(s.get("name") or "") == key
            ),
            None,
        )
        if twin is not None:
            result.channels = [COUNTER, POST]
            result.notes.append(
                f"bản giấy của mẫu điện tử tương tác {twin.get('code')}: khi nộp trực tiếp hoặc bưu chính"
            )
    fallback = FALLBACK.match(name.split(";")[0])
    if fallback:
        what = fallback.group("what").strip()
        if any(word in what.lower() for word in ABOVE):
            result.notes.append(
                f"thay thế cho “{what}”: chưa xác định được thành phần nào, cần xem lại (hiện là giấy tờ "
                "tùy trường hợp)"
            )
        else:
            wanted = what.lower()
            targets = [
                s
                for s in siblings
                if s.get("name")
                and unicodedata.normalize("NFC", s.get("name") or "") != name
                and unicodedata.normalize("NFC", s.get("name") or "")
                .split(";")[0]
                .strip()
                .lower()
                .startswith(wanted)
            ]
            if len(targets) == 1:
                result.alternative_of = str(targets[0].get("code") or "")
                result.notes.append(f"“trường hợp không có {what} thì”: nộp thay cho {result.alternative_of}")
            else:
                result.notes.append(
                    f"thay thế cho “{what}”: không tìm thấy đúng một thành phần tương ứng, cần xem lại"
                )
        return result
    alternatives, how = _alternatives(name)
    if alternatives:
        result.alternatives = alternatives
        result.notes.append(how)
    return result


def classify_documents(documents: list[dict[str, Any]]) -> None:
    """Classify every document (dicts with ``code`` and ``name``) of one procedure in place,
    except those an officer classified (``classified_manually``)."""
    for document in documents:
        if document.get("classified_manually"):
            continue
        found = classify(document.get("name") or "", documents)
        document["channels"] = found.channels
        document["alternatives"] = found.alternatives
        document["alternative_of"] = found.alternative_of
        document["classification_note"] = found.note


# ---------------------------------------------------------------------------------------------
# The report


def report_line(procedure_code: str, document: dict[str, Any]) -> str:
    name = re.sub(r"\s+", " ", document.get("name") or "")
    short = name if len(name) <= 90 else name[:89] + "…"
    parts = [f"áp dụng: {channels_label(document.get('channels') or [])}"]
    if document.get("alternatives"):
        parts.append("thay thế nhau: " + " | ".join(document["alternatives"]))
    if document.get("alternative_of"):
        parts.append(f"nộp thay cho {document['alternative_of']}")
    how = "phân loại thủ công" if document.get("classified_manually") else "tự động"
    note = document.get("classification_note") or ""
    return (
        f"{procedure_code} {document.get('code')} “{short}” → {'; '.join(parts)} "
        f"[{how}{': ' + note if note else ''}]"
    )


def is_classified(document: dict[str, Any]) -> bool:
    return bool(
        document.get("channels")
        or document.get("alternatives")
        or document.get("alternative_of")
        or document.get("classification_note")
        or document.get("classified_manually")
    )


@dataclass
class ClassificationReport:
    lines: list[str] = field(default_factory=list)
    documents: int = 0
    classified: int = 0
    channel_limited: int = 0
    with_alternatives: int = 0
    to_review: int = 0
    changed: list[str] = field(default_factory=list)

    def add(self, procedure_code: str, document: dict[str, Any]) -> None:
        self.documents += 1
        if not is_classified(document):
            return
        self.classified += 1
        self.channel_limited += bool(document.get("channels"))
        self.with_alternatives += bool(document.get("alternatives") or document.get("alternative_of"))
        self.to_review += "cần xem lại" in (document.get("classification_note") or "")
        self.lines.append(report_line(procedure_code, document))

    def summary(self) -> str:
        return (
            f"Đã xét {self.documents} thành phần hồ sơ; phân loại {self.classified}: "
            f"{self.channel_limited} chỉ áp dụng cho một số hình thức nộp, {self.with_alternatives} có "
            f"giấy tờ thay thế; {self.to_review} cần xem lại."
        )

    def text(self) -> str:
        return "\n".join([self.summary(), *self.lines]) + "\n"


def report_for(procedures: Iterable[Procedure]) -> ClassificationReport:
    """Every classified document of ``procedures`` (as stored) and how it was classified."""
    report = ClassificationReport()
    for procedure in procedures:
        for document in services.document_dicts(procedure):
            report.add(procedure.code, document)
    return report


def documents_classify(
    *, actor: AnyUser | None = None, procedures: Iterable[Procedure] | None = None, dry_run: bool = False
) -> ClassificationReport:
    """Classify the stored documents of ``procedures`` (default: the whole catalogue) from their
    texts, keeping an officer's corrections; report every classified document and how.
    ``dry_run``: report what the classification would be, change nothing."""
    if procedures is None:
        procedures = Procedure.objects.order_by("code").prefetch_related("documents")
    report = ClassificationReport()
    with transaction.atomic():
        for procedure in procedures:
            documents = services.document_dicts(procedure)
            before = [{k: d[k] for k in CLASSIFICATION_KEYS} for d in documents]
            classify_documents(documents)
            for document in documents:
                report.add(procedure.code, document)
            if dry_run or before == [{k: d[k] for k in CLASSIFICATION_KEYS} for d in documents]:
                continue
            services.procedure_apply(procedure=procedure, values={"documents": documents})
            report.changed.append(procedure.code)
            audit_record(
                action="catalog.documents_classify",
                actor=actor,
                obj=procedure,
                extra={"documents": [d["code"] for d in documents if is_classified(d)]},
                chain=services.AUDIT_CHAIN,
            )
    return report
