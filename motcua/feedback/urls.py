from django.urls import path

from motcua.feedback import views, views_device, views_survey

app_name = "feedback"
urlpatterns = [
    path("danh-gia/ho-so/<str:token>/", views.rate, name="rate"),
    path("danh-gia/quay/", views_device.tablet, name="tablet"),
    path("danh-gia/quay/ghep/", views_device.pair, name="pair"),
    path("danh-gia/thiet-bi/", views_device.device_list, name="devices"),
    path("danh-gia/phieu-giay/", views.paper, name="paper"),
    path("danh-gia/chua-hai-long/", views.unsatisfied, name="unsatisfied"),
    path("danh-gia/chua-hai-long/<int:rating_id>/da-xu-ly/", views.mark_handled, name="mark_handled"),
    path("danh-gia/ket-qua/", views.mine, name="mine"),
    path("danh-gia/khao-sat/", views_survey.round_list, name="surveys"),
    path("danh-gia/khao-sat/<int:round_id>/", views_survey.round_detail, name="survey_round"),
    path("khao-sat/<str:token>/", views_survey.answer, name="survey"),
]
