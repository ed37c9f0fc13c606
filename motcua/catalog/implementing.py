"""Which of a province's agencies implements a procedure, read from the published texts.

A record names its implementing agency as text, for every province at once ("Sở Tài chính các
tỉnh, thành phố", "Công an tỉnh"). An agency implements the procedure when its own role — its
name without the locality ("Sở Tài chính tỉnh Tuyên Quang" → "sở tài chính") — is named by
the executing agency text (or, without one, the competent agency text); when neither names any
of the candidates, the department mirroring the managing ministry ("Bộ Nông nghiệp và Môi
trường" → "Sở Nông nghiệp và Môi trường"). Nothing else: a procedure no candidate implements is
offered nowhere rather than everywhere, so that "where to submit" never contradicts "Cơ quan
thực hiện" (3.000333, Lý lịch tư pháp: Công an tỉnh, not the four departments).
"""

import re
from collections.abc import Callable, Iterable

from motcua.lib.text import fold

_LOCALITY = re.compile(r"\s+(tinh|thanh pho|xa|phuong|dac khu|huyen|quan|thi xa)\s.*$")


def agency_role(name: str) -> str:
    """ "Sở Tài chính tỉnh Tuyên Quang" → "so tai chinh"; "Công an tỉnh Mẫu" → "cong an"."""
    return _LOCALITY.sub("", " ".join(fold(name).split()))


def _name(agency) -> str:
    return agency.name


def implementing_agencies[A](
    *,
    executing: str,
    competent: str,
    ministry: str,
    candidates: Iterable[A],
    name: Callable[[A], str] = _name,
) -> list[A]:
    """The candidates (agencies, by ``name(candidate)``) that the texts name, in their order."""
    candidates = list(candidates)
    roles = [(c, agency_role(name(c))) for c in candidates]
    for text in (executing, competent):
        folded = " ".join(fold(text or "").split())
        if folded:
            named = [c for c, role in roles if role and re.search(rf"\b{re.escape(role)}\b", folded)]
            if named:
                return named
    mirrored = " ".join(fold(ministry or "").split())
    if mirrored.startswith("bo "):
        department = "so " + mirrored[3:]
        return [c for c, role in roles if role == department]
    return []
