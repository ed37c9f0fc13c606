"""The oversight's pages (/giam-sat/, namespace ``reports``) and the public statistics
(/thong-ke/). Filters travel in the query string (``don-vi``, ``ky`` or ``tu``/``den``,
``linh-vuc``, ``kenh``); ``xuat=xlsx`` downloads a page's tables."""

from django.urls import path

from motcua.reports import views, views_dossiers, views_index, views_periodic, views_public, views_rankings

app_name = "reports"

urlpatterns = [
    path("giam-sat/", views.dashboard, name="dashboard"),
    path("giam-sat/ho-so/", views_dossiers.dossiers, name="dossiers"),
    path("giam-sat/xep-hang/", views_rankings.rankings, name="rankings"),
    path("giam-sat/tre-han/", views_rankings.late_holders, name="late"),
    path("giam-sat/chi-so-766/", views_index.index_page, name="index766"),
    path("giam-sat/danh-gia/", views_index.evaluation_page, name="evaluation"),
    path("giam-sat/bao-cao/", views_periodic.periodic, name="periodic"),
    path("thong-ke/", views_public.public_statistics, name="public"),
]
