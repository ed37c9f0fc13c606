"""The counter's part of the public postal service (/quay/buu-gui/…): a result the post brought
back is listed on the counter's home ("Bưu gửi bị chuyển hoàn") until an officer of that counter
writes how it was dealt with (handed over at the counter, sent again, the citizen called)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from motcua.dossiers import postal
from motcua.dossiers.views.counter import _no_agency, current_agency, receptionist_required
from motcua.lib.clients import client_ip
from motcua.lib.errors import DomainError
from motcua.org.models import Agency


@require_POST
@receptionist_required
def handle_returned(request, pk: int):
    agency = current_agency(request)
    if agency is None:
        return _no_agency(request)
    try:
        consignment = postal.consignment_handle_returned(
            actor=request.user,
            consignment_id=pk,
            agencies=Agency.objects.filter(pk=agency.pk),
            note=request.POST.get("note", "")[:1000],
            ip=client_ip(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Hồ sơ {consignment.dossier.code}: đã ghi nhận cách xử lý bưu gửi bị chuyển hoàn."
        )
    return redirect(f"{_today_url()}#buu-gui-hoan")


def _today_url() -> str:
    from django.urls import reverse

    return reverse("counter:today")


urlpatterns = [
    path("buu-gui/<int:pk>/da-xu-ly/", handle_returned, name="post_returned_handled"),
]
