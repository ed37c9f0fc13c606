"""The page "Thông tin tài khoản": a citizen's or organisation's own profile
(``motcua.accounts.profiles``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from motcua.accounts.forms import ProfileForm
from motcua.accounts.models import User
from motcua.accounts.profiles import VERIFIED_FIELDS, ProfileData, profile_of, profile_update
from motcua.lib.clients import client_ip
from motcua.lib.errors import InvalidInput


def _initial(user: User) -> dict:
    profile = profile_of(user)
    return {
        "full_name": user.full_name,
        "email": user.email,
        "citizen_id": profile.citizen_id,
        "date_of_birth": profile.date_of_birth,
        "address": profile.address,
        "organisation_name": profile.organisation_name
        or (user.full_name if user.kind == User.Kind.ORGANISATION else ""),
        "tax_code": profile.tax_code,
        "representative": profile.representative,
        "notify_channels": profile.notify_channels,
    }


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user.kind not in (User.Kind.CITIZEN, User.Kind.ORGANISATION):
        return render(
            request, "403.html", {"reason": "Trang này dành cho tài khoản công dân hoặc tổ chức."}, status=403
        )
    current = profile_of(user)
    locked = VERIFIED_FIELDS if current.identity_verified else ()
    initial = _initial(user)
    form = ProfileForm(request.POST or None, initial=initial, kind=user.kind, locked=locked)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {**initial, **form.cleaned_data}
            data = ProfileData(
                full_name=values.get("full_name") or "",
                email=values.get("email") or "",
                address=values.get("address") or "",
                citizen_id=values.get("citizen_id") or "",
                date_of_birth=values.get("date_of_birth"),
                organisation_name=values.get("organisation_name") or "",
                tax_code=values.get("tax_code") or "",
                representative=values.get("representative") or "",
                notify_channels=list(values.get("notify_channels") or []),
            )
            try:
                profile_update(user=user, data=data, ip=client_ip(request))
            except InvalidInput as exc:
                for name, message in exc.details.get("fields", {}).items():
                    form.add_error(name if name in form.fields else None, message)
                if not exc.details.get("fields"):
                    form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(request, "Đã lưu thông tin tài khoản.")
                return redirect("accounts:profile")
        else:
            status = 400
    context = {"form": form, "profile": current, "account": user, "verified": current.identity_verified}
    return render(request, "accounts/profile.html", context, status=status)
