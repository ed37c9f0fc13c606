from django.urls import path

from motcua.portal.views import mine, wizard

app_name = "portal"

urlpatterns = [
    path("nop-truc-tuyen/<str:code>/", wizard.start, name="start"),
    path("ho-so-cua-toi/", mine.mine, name="mine"),
    path("ho-so-cua-toi/nhap/<uuid:uid>/da-nop/", wizard.draft_done, name="draft_done"),
    path("ho-so-cua-toi/nhap/<uuid:uid>/xoa/", wizard.draft_delete, name="draft_delete"),
    path("ho-so-cua-toi/nhap/<str:uid>/<slug:step>/", wizard.draft_step, name="draft_step"),
    path("ho-so-cua-toi/<str:code>/", mine.detail, name="detail"),
    path("ho-so-cua-toi/<str:code>/bo-sung/", mine.supplement, name="supplement"),
    path("ho-so-cua-toi/<str:code>/rut-ho-so/", mine.withdraw, name="withdraw"),
    path("ho-so-cua-toi/<str:code>/mau-<str:form>.pdf", mine.form_pdf, name="form"),
]
