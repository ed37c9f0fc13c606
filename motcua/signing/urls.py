from django.urls import path

from motcua.signing import views

app_name = "signing"
urlpatterns = [
    path("xac-thuc/", views.verify, name="verify"),
    path("xac-thuc/ket-qua/<str:code>/<str:token>/", views.result, name="result"),
    path("ket-qua-dien-tu/<uuid:uid>/tai-ve/", views.download, name="download"),
]
