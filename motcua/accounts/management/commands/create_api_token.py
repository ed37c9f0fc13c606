"""``manage.py create_api_token <username> [--name NAME]``: make an API token and print it once."""

from django.core.management.base import BaseCommand, CommandError

from motcua.accounts.models import User
from motcua.accounts.services import api_token_create
from motcua.lib.errors import DomainError


class Command(BaseCommand):
    help = "Tạo khóa API (Authorization: Bearer …) cho một tài khoản; khóa chỉ được in ra một lần."

    def add_arguments(self, parser):
        parser.add_argument("username", help="tên đăng nhập của tài khoản")
        parser.add_argument("--name", default="", help="tên gợi nhớ của khóa (ví dụ: ki-ốt tầng 1)")

    def handle(self, *args, username, name, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"Không có tài khoản “{username}”.") from None
        try:
            raw = api_token_create(user=user, name=name)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stderr.write(f"Khóa API cho {username} (chỉ hiện một lần, hãy lưu lại):")
        self.stdout.write(raw)
