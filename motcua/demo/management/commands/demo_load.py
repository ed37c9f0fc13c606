from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from motcua.accounts.otp import staff_otp_demo_enrolments
from motcua.catalog.demo import build_demo_catalog
from motcua.demo.citizens import build_demo_citizens
from motcua.dossiers.demo import build_demo_dossiers
from motcua.org.demo import DEMO_PASSWORD, build_demo_org
from motcua.payments.demo import build_demo_payments


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (tỉnh, cơ quan, cán bộ, thủ tục) và in tài khoản đăng nhập. Chỉ khi DEBUG bật."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Dữ liệu mẫu chỉ được nạp khi DEBUG bật (máy phát triển). "
                "Demo data loads only with DEBUG on; this looks like a production database."
            )
        org = build_demo_org(stdout=self.stdout)
        build_demo_catalog(
            offering_agencies={"commune": org.commune_agencies, "province": org.province_agencies},
            stdout=self.stdout,
        )
        build_demo_dossiers(org=org, stdout=self.stdout)
        build_demo_payments(stdout=self.stdout)  # motcua/payments/demo.py
        # The mobile app's client at the authorisation server (motcua/me/demo.py).
        from motcua.me.demo import build_demo_mobile_app

        build_demo_mobile_app(stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Tài khoản dùng thử (mật khẩu chung: {DEMO_PASSWORD}):"))
        of_communes = {name for commune in org.communes for name in commune.usernames}
        fixed = [account for account in org.accounts if account[0] not in of_communes]
        width = max(len(u) for u, _, _ in fixed)
        for username, role, agency in fixed:
            self.stdout.write(f"  {username.ljust(width)}  {role} — {agency}")
        self.stdout.write(
            "  Mỗi xã/phường: cán bộ một cửa, chuyên viên và lãnh đạo của Ủy ban nhân dân xã/phường:"
        )
        for commune in org.communes:
            self.stdout.write(f"  {' · '.join(commune.usernames)} — {commune.committee.name}")
        self.print_second_factor()
        citizens = build_demo_citizens()
        self.stdout.write(
            "  Công dân, tổ chức (đăng nhập bằng số điện thoại tại /tai-khoan/dang-nhap/, cùng mật khẩu; "
            "nộp hồ sơ trực tuyến, xem /ho-so-cua-toi/):"
        )
        for citizen in citizens:
            self.stdout.write(f"  {citizen.phone}  {citizen.what} — {citizen.full_name}")
        self.stdout.write(
            "  Đăng nhập bằng định danh điện tử (VNeID) thử: `make oidc-demo` rồi `make run OIDC_DEMO=1` "
            "(tài khoản thử in ra khi nhà cung cấp định danh khởi động)."
        )
        self.stdout.write("")
        self.stdout.write(
            "Mở http://127.0.0.1:8000/ — cổng dịch vụ công; /quay/ — quầy tiếp nhận; /xu-ly/ — xử lý hồ sơ; "
            "/tra-cuu/ — tra cứu; /quan-tri/ — quản trị; /api/v1/docs — API."
        )

    def print_second_factor(self) -> None:
        """Each account that needs the staff second factor when DEBUG is off, with its
        authenticator's key: add it to an authenticator app (the key, or the otpauth URI as a QR)."""
        enrolments = staff_otp_demo_enrolments()
        if not enrolments:
            return
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                "Xác thực hai bước (bắt buộc với lãnh đạo, giám đốc, quản trị khi DEBUG tắt): "
                "thêm khóa vào ứng dụng xác thực (Google Authenticator, FreeOTP…):"
            )
        )
        width = max(len(e.username) for e in enrolments)
        for enrolment in enrolments:
            self.stdout.write(f"  {enrolment.username.ljust(width)}  khóa {enrolment.secret}")
            self.stdout.write(f"  {' ' * width}  {enrolment.uri}")
