from django.urls import path

from motcua.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.procedure_list, name="procedure_list"),
    path("thu-tuc/<str:code>/", views.procedure_page, name="procedure"),
    path("thu-tuc/<str:code>/mau/<str:document_code>/", views.form_template, name="form_template"),
]
