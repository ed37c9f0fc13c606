"""Object storage settings: django-storages' S3 backend configured from environment variables
only (README, "Object storage")."""

from django.core.exceptions import ImproperlyConfigured

from motcua.lib.env import env_str

S3_STORAGE = "storages.backends.s3.S3Storage"


def storage_backend(value: str) -> str:
    """A storage setting's value: "s3" names django-storages' S3 backend; anything else is a dotted path."""
    return S3_STORAGE if value.strip().lower() == "s3" else value


def s3_options() -> dict[str, object]:
    """The S3 backend's options, from S3_* environment variables only (the keys may come from
    files: S3_ACCESS_KEY_ID_FILE, S3_SECRET_ACCESS_KEY_FILE). Without keys, boto3 finds its own
    (an instance role, AWS_* variables)."""
    bucket = env_str("S3_BUCKET").strip()
    if not bucket:
        raise ImproperlyConfigured(
            "An S3 storage is configured (FILE_STORAGE or AUDIT_CHECKPOINT_STORAGE) but S3_BUCKET is not set."
        )
    options: dict[str, object] = {
        "bucket_name": bucket,
        "endpoint_url": env_str("S3_ENDPOINT_URL").strip() or None,
        "region_name": env_str("S3_REGION").strip() or None,
        "access_key": env_str("S3_ACCESS_KEY_ID").strip() or None,
        "secret_key": env_str("S3_SECRET_ACCESS_KEY").strip() or None,
        "default_acl": "private",
        "querystring_auth": True,  # a URL, if one is ever made, is signed and expires
        "querystring_expire": 300,
        "file_overwrite": False,
        "location": env_str("S3_PREFIX").strip().strip("/"),
    }
    addressing_style = env_str("S3_ADDRESSING_STYLE").strip()  # "path" for some MinIO set-ups
    if addressing_style:
        options["addressing_style"] = addressing_style
    return options
