from django.urls import path

from motcua.payments.views import citizen, gateway, staff

app_name = "payments"

urlpatterns = [
    path("ho-so-cua-toi/<str:code>/thanh-toan/", citizen.pay, name="pay"),
    path("ho-so-cua-toi/<str:code>/bien-lai-<int:number>.pdf", citizen.receipt, name="receipt"),
    path("thanh-toan/vnpay/ket-qua", gateway.result, name="result"),
    path("thanh-toan/vnpay/ipn", gateway.ipn, name="ipn"),
    path("thu-phi/<str:code>/", staff.page, name="staff"),
    path("thu-phi/<str:code>/yeu-cau/", staff.ask, name="ask"),
    path("thu-phi/<str:code>/thu/", staff.take, name="take"),
    path("thu-phi/<str:code>/hoan-tra/<str:txn_ref>/", staff.refund, name="refund"),
    path("thu-phi/<str:code>/bien-lai-<int:number>.pdf", staff.receipt, name="staff_receipt"),
]
