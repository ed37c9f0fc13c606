from django.urls import include, path

from motcua.dossiers.views import (
    backoffice,
    counter,
    counter_online,
    counter_post,
    counter_resume,
    printing,
)

urlpatterns = [
    path(
        "quay/",
        include(
            (
                counter.urlpatterns
                + counter_resume.urlpatterns
                + counter_online.urlpatterns
                + counter_post.urlpatterns,
                "counter",
            )
        ),
    ),
    path("xu-ly/", include((backoffice.urlpatterns, "backoffice"))),
    path("bieu-mau/", include((printing.urlpatterns, "printing"))),
]
