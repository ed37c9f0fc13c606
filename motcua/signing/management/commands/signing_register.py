"""Register an agency's signing certificate and where its key is (production set-up).

    manage.py signing_register --agency 000.00.31.H99 --kind seal \\
        --cert /etc/motcua/keys/xa-an-binh-seal.pem --key file:/etc/motcua/keys/xa-an-binh-seal.key
    manage.py signing_register --agency 000.00.31.H99 --kind leader --user lanhdao_an_binh \\
        --cert … --key file:…  [--chain /etc/motcua/keys/ca-trung-gian.pem]

The certificate must be readable and must chain to one of SIGNING_TRUST_ANCHORS; a file key
must match it. The agency's (or that leader's) previous certificate of the kind is retired.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from motcua.lib.errors import DomainError
from motcua.org.models import Agency
from motcua.signing import services, signatures
from motcua.signing.keys import SignerUnavailable


class Command(BaseCommand):
    help = "Đăng ký chứng thư số (lãnh đạo hoặc con dấu) của một cơ quan và nơi giữ khóa bí mật."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="mã định danh cơ quan")
        parser.add_argument("--kind", required=True, choices=["leader", "seal"])
        parser.add_argument("--user", default="", help="tên đăng nhập của lãnh đạo (với --kind leader)")
        parser.add_argument("--cert", required=True, help="tệp chứng thư số (PEM)")
        parser.add_argument("--key", required=True, help="nơi giữ khóa: file:/đường/dẫn/khoa.key")
        parser.add_argument("--chain", default="", help="tệp chứng thư CA trung gian (PEM), nếu có")

    def handle(self, *args, **options):
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"Không có cơ quan mã {options['agency']}.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Không có tài khoản {options['user']}.")
        try:
            cert_pem = Path(options["cert"]).read_text()
            chain_pem = Path(options["chain"]).read_text() if options["chain"] else ""
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp: {exc}") from None
        try:
            signer = services.signer_register(
                agency=agency,
                kind=options["kind"],
                user=user,
                certificate_pem=cert_pem,
                key_ref=options["key"],
                chain_pem=chain_pem,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        # A test signature, checked as /xac-thuc/ checks: the key matches, the anchors know the CA.
        try:
            pdf = signatures.sign(_blank_pdf(), signer, field_name="KiemTra", reason="Kiểm tra", location="")
            problem = "" if (check := signatures.verify(pdf)).ok else f"Ký thử không hợp lệ ({check.message})"
        except SignerUnavailable as exc:
            problem = str(exc)
        if problem:
            signer.active = False
            signer.save(update_fields=["active"])
            raise CommandError(f"{problem}; chứng thư không được dùng.")
        self.stdout.write(
            self.style.SUCCESS(f"Đã đăng ký: {signer} (hiệu lực đến {signer.valid_until:%d/%m/%Y}).")
        )


def _blank_pdf() -> bytes:
    from motcua.dossiers.printing import html_to_pdf

    return html_to_pdf("<!doctype html><html lang='vi'><body><p>Ký thử</p></body></html>")
