from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from motcua import views
from motcua.api import api

admin.site.site_header = "Quản trị motcua"
admin.site.site_title = "Quản trị motcua"
admin.site.index_title = "Danh mục và cấu hình"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("quan-tri/", admin.site.urls),
    path("tai-khoan/", include("motcua.accounts.urls")),
    path("", include("motcua.dossiers.urls")),
    path("", include("motcua.catalog.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
