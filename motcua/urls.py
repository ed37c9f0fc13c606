from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from motcua import views
from motcua.api import api, unknown_route
from motcua.dossiers.views import tracking

admin.site.site_header = "Quản trị motcua"
admin.site.site_title = "Quản trị motcua"
admin.site.index_title = "Danh mục và cấu hình"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Public tracking, the busiest page (every receipt's QR code leads there): matched second,
    # before the API's and the other wings' patterns are tried.
    path("tra-cuu/", include((tracking.urlpatterns, "tracking"))),
    path("api/v1/", api.urls),
    # Any other path under /api/ (an unknown operation, /api/v2/…): the API's 404, not a page.
    re_path(r"^api/", unknown_route),
    path("quan-tri/", admin.site.urls),
    path("tai-khoan/", include("motcua.accounts.urls")),
    # The mobile app's OAuth 2.0 authorisation server (motcua/me/urls.py).
    path("o/", include("motcua.me.urls")),
    path("", include("motcua.dossiers.urls")),
    path("", include("motcua.portal.urls")),  # /nop-truc-tuyen/, /ho-so-cua-toi/
    path("", include("motcua.catalog.urls")),
    path("", include("motcua.feedback.urls")),  # /danh-gia/…, /khao-sat/…: ratings and surveys
    path("", include("motcua.reports.urls")),  # /giam-sat/, /thong-ke/ (issue 13)
    path("", include("motcua.payments.urls")),  # /thu-phi/, /thanh-toan/vnpay/, …/thanh-toan/
    path("", include("motcua.signing.urls")),  # /xac-thuc/, /ket-qua-dien-tu/
]

# Pages get Vietnamese error pages; paths under /api/ the API's error shape.
handler400 = "motcua.error_pages.bad_request"
handler403 = "motcua.error_pages.permission_denied"
handler404 = "motcua.error_pages.page_not_found"
handler500 = "motcua.error_pages.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
