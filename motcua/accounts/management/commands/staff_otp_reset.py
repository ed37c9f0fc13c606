"""``manage.py staff_otp_reset <username>``: an administrator's recovery of a lost authenticator."""

from django.core.management.base import BaseCommand, CommandError

from motcua.accounts.models import User
from motcua.accounts.otp import staff_otp_reset


class Command(BaseCommand):
    help = (
        "Đặt lại xác thực hai bước của một tài khoản (mất điện thoại, đổi máy): gỡ các ứng dụng xác thực "
        "đã đăng ký; ở lần đăng nhập tới, cán bộ đăng ký lại."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="tên đăng nhập của tài khoản")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{username}”.")
        removed = staff_otp_reset(user=user)
        self.stdout.write(
            f"Đã gỡ {removed} ứng dụng xác thực của {username}; cán bộ sẽ đăng ký lại khi đăng nhập."
        )
