"""Pages that fail say so in Vietnamese, in the site's layout: 400 (and 413 for a form over the
size limit), 403, 404, 500 and the CSRF failure. Django's own field messages are Vietnamese too,
whatever language the browser asks for."""

import pytest
from django import forms
from django.test import Client, RequestFactory
from django.utils import translation

from motcua import error_pages
from motcua.accounts.models import User

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"


def assert_page(response, status, *texts):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert '<html lang="vi">' in body
    assert 'class="site-header"' in body  # the site's layout (base.html)
    assert "Cổng Dịch vụ công" in body
    for text in texts:
        assert text in body, text
    return body


def test_an_unknown_page_is_a_vietnamese_404(client):
    # Before: Django's English "Not Found" page.
    assert_page(client.get("/khong-co-trang-nay/"), 404, "Không tìm thấy trang", 'href="/thu-tuc/"')


def test_the_404_page_is_the_same_for_every_request(client, django_assert_num_queries):
    # Nothing of the request shows (not even a CSRF token): what is hidden stays hidden.
    client.force_login(User.objects.create_user("cong_dan", kind=User.Kind.CITIZEN))
    first = client.get("/khong-co-trang-nay/")
    with django_assert_num_queries(0):
        second = error_pages.page_not_found(RequestFactory().get("/khac/"), Exception("x"))
    assert first.content == second.content


def test_a_forbidden_page_says_why_in_vietnamese(client):
    client.force_login(User.objects.create_user("cong_dan", kind=User.Kind.CITIZEN))
    assert_page(
        client.get("/quay/"),
        403,
        "Không có quyền truy cập",
        "Trang này dành cho cán bộ một cửa (vai trò tiếp nhận hồ sơ).",
    )


def test_a_form_without_its_csrf_token_asks_to_reload_the_page(db):
    # Before: Django's English "403 Forbidden — CSRF verification failed" page.
    browser = Client(enforce_csrf_checks=True)
    body = assert_page(
        browser.post(LOGIN, {"username": "a", "password": "b"}),
        403,
        "Phiên làm việc đã hết hạn",
        "tải lại trang",
    )
    assert f'href="{LOGIN}"' in body  # the reload link
    assert "CSRF verification failed" not in body


def test_a_form_over_the_size_limit_is_a_vietnamese_413(client, settings):
    # Before: Django's English "Bad Request (400)".
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(LOGIN, {"username": "x" * 2000, "password": "y"})
    assert_page(response, 413, "Dữ liệu gửi lên quá lớn")


def test_a_bad_request_is_a_vietnamese_400(settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    response = Client(HTTP_HOST="ke-la.example").get("/")
    assert_page(response, 400, "Yêu cầu không hợp lệ")


def test_a_server_error_is_a_vietnamese_500_that_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/thu-tuc/")
    with django_assert_num_queries(0):
        response = error_pages.server_error(request)
    body = assert_page(response, 500, "Hệ thống đang gặp lỗi", "Xin thử lại sau ít phút")
    assert "Tỉnh Demo" in body


def test_a_failing_page_answers_the_500_page(monkeypatch):
    from motcua.catalog import views

    def broken(*args, **kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(views, "render", broken)
    response = Client(raise_request_exception=False).get("/")
    body = assert_page(response, 500, "Hệ thống đang gặp lỗi")
    assert "hỏng" not in body


# -- Django's field messages ------------------------------------------------------------------


@pytest.mark.parametrize("accept_language", ["en-US,en;q=0.9,vi;q=0.8", "fr", ""])
def test_field_messages_are_vietnamese_whatever_the_browser_asks_for(client, accept_language):
    # Before: a browser with an English interface got "This field is required." on the
    # Vietnamese sign-in page (LocaleMiddleware followed Accept-Language).
    response = client.post(LOGIN, {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE=accept_language)
    body = response.content.decode()
    assert body.count("Trường này là bắt buộc.") == 2
    assert "This field is required" not in body
    assert response["Content-Language"] == "vi"


def test_english_stays_available_to_who_chooses_it(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(LOGIN, {"username": "", "password": ""})
    assert "This field is required." in response.content.decode()
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        # Missing from Django's Vietnamese catalogue: they showed in English.
        (forms.CharField(), "a\x00b", "Không được chứa ký tự rỗng (NUL)."),
        (forms.UUIDField(), "x", "Nhập một UUID hợp lệ."),
        (forms.JSONField(), "{", "Nhập dữ liệu JSON hợp lệ."),
        (forms.DurationField(), "x", "Nhập một khoảng thời gian hợp lệ."),
        (forms.IntegerField(step_size=5), "7", "Giá trị phải là bội số của 5."),
        # Worded awkwardly or wrongly there.
        (forms.IntegerField(), "x", "Nhập một số nguyên."),
        (forms.IntegerField(min_value=1), "0", "Giá trị phải lớn hơn hoặc bằng 1."),
        (forms.IntegerField(max_value=99), "100", "Giá trị phải nhỏ hơn hoặc bằng 99."),
        (forms.EmailField(), "x", "Nhập một địa chỉ thư điện tử hợp lệ."),
        (forms.CharField(max_length=5), "abcdefgh", "Chỉ được tối đa 5 ký tự (đang có 8)."),
        (forms.CharField(min_length=5), "ab", "Cần ít nhất 5 ký tự (đang có 2)."),
        (
            forms.ChoiceField(choices=[("a", "A")]),
            "b",
            "Hãy chọn một giá trị hợp lệ: b không có trong danh sách.",
        ),
        # Kept from Django's catalogue.
        (forms.CharField(), "", "Trường này là bắt buộc."),
        (forms.DateField(), "32/13/2026", "Nhập một ngày hợp lệ."),
    ],
)
def test_django_field_messages_read_well_in_vietnamese(field, value, message):
    with translation.override("vi"):
        with pytest.raises(forms.ValidationError) as caught:
            field.clean(value)
        assert caught.value.messages == [message]
