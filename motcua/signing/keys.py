"""The signer adapter: from an ``AgencySigner`` to a pyHanko signer, by its ``key_ref``.

- ``file:/path/to/key.pem`` (now): an unencrypted PEM/PKCS#8 private key in a file outside the
  database and the media folder, readable only by the service's account. Its certificate is the
  ``AgencySigner.certificate``, checked to match the key.
- ``pkcs11:…`` (later): a token or HSM through pyHanko's ``pyhanko.sign.pkcs11.PKCS11Signer``
  (``pip install pyhanko[pkcs11]``); ``remote:…``: a remote signing service (a signer whose
  ``async_sign_raw`` calls the service). Both are refused until configured: README, section
  "Kết quả điện tử có chữ ký số", says how to add them — one more branch in ``signer_for``.
"""

from pathlib import Path

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_private_key_from_pemder_data
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from motcua.signing.models import AgencySigner


class SignerUnavailable(ImproperlyConfigured):
    pass


def certificates_from_pem(text: str | bytes) -> list[asn1_x509.Certificate]:
    data = text.encode() if isinstance(text, str) else text
    if not data.strip():
        return []
    if not asn1_pem.detect(data):
        return [asn1_x509.Certificate.load(data)]
    return [asn1_x509.Certificate.load(der) for _, _, der in asn1_pem.unarmor(data, multiple=True)]


def signer_for(agency_signer: AgencySigner) -> signers.Signer:
    ref = agency_signer.key_ref.strip()
    if ref.startswith("file:"):
        return _file_signer(agency_signer, Path(ref.removeprefix("file:")))
    raise SignerUnavailable(
        f"Chưa hỗ trợ nơi giữ khóa “{ref.split(':', 1)[0]}” (chứng thư {agency_signer.pk}); xem README."
    )


def _public_key_der(key_data: bytes) -> bytes:
    key = serialization.load_pem_private_key(key_data, password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _file_signer(agency_signer: AgencySigner, key_path: Path) -> signers.Signer:
    try:
        key_data = key_path.read_bytes()
    except OSError as exc:
        raise SignerUnavailable(
            f"Không đọc được tệp khóa của chứng thư {agency_signer.pk}: {exc.strerror}."
        ) from None
    key = load_private_key_from_pemder_data(key_data, passphrase=None)
    certs = certificates_from_pem(agency_signer.certificate)
    if len(certs) != 1:
        raise SignerUnavailable(f"Chứng thư {agency_signer.pk} phải có đúng một chứng thư số.")
    cert = certs[0]
    if _public_key_der(key_data) != cert.public_key.dump():
        raise SignerUnavailable(f"Khóa bí mật không khớp với chứng thư {agency_signer.pk}.")
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(certificates_from_pem(agency_signer.chain)),
    )
