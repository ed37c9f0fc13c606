"""Register the mobile app with motcua's authorisation server (a public client: authorization
code with PKCE, no secret) and print its client_id for the app's configuration."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.me.services import mobile_app_register


class Command(BaseCommand):
    help = "Đăng ký ứng dụng di động với máy chủ cấp quyền OAuth (client công khai, PKCE) và in client_id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", default="Ứng dụng Dịch vụ công", help="Tên hiển thị cho công dân")
        parser.add_argument(
            "--redirect-uri",
            action="append",
            dest="redirect_uris",
            required=True,
            help="Địa chỉ quay về của ứng dụng (https://… hoặc vn.motcua.app:/…); lặp lại nếu có nhiều",
        )
        parser.add_argument(
            "--client-id", default=None, help="Cập nhật ứng dụng có client_id này (hoặc đặt sẵn)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        app = mobile_app_register(
            name=options["name"], redirect_uris=options["redirect_uris"], client_id=options["client_id"]
        )
        self.stdout.write(app.client_id)
