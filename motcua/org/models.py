"""Administrative units, agencies, service points, counters and staff memberships."""

from django.conf import settings
from django.db import models


class AdministrativeUnit(models.Model):
    """A province, district or commune with its official code (GSO / Decision 19/2025)."""

    class Level(models.TextChoices):
        PROVINCE = "province", "Tỉnh / thành phố"
        DISTRICT = "district", "Huyện / quận / thị xã"
        COMMUNE = "commune", "Xã / phường / đặc khu"

    class Scheme(models.TextChoices):
        TWO_LEVEL = "2025", "Hai cấp (từ 01/7/2025)"
        THREE_LEVEL = "legacy", "Ba cấp (trước 01/7/2025)"

    scheme = models.CharField("mô hình", max_length=10, choices=Scheme.choices, default=Scheme.TWO_LEVEL)
    code = models.CharField("mã", max_length=10)
    name = models.CharField("tên", max_length=200)
    division_type = models.CharField(
        "loại", max_length=50, blank=True, help_text="Tỉnh, Thành phố, Xã, Phường…"
    )
    level = models.CharField("cấp", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="trực thuộc",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering = ["scheme", "code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="admin_unit_scheme_code")]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """An agency with its identifier code (QCVN 102 shape, e.g. 000.00.12.H13)."""

    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "peoples_committee", "Ủy ban nhân dân"
        DEPARTMENT = "department", "Cơ quan chuyên môn"
        SERVICE_CENTRE = "service_centre", "Trung tâm Phục vụ hành chính công"
        ONE_STOP = "one_stop", "Bộ phận Một cửa"
        VERTICAL = "vertical", "Cơ quan ngành dọc"
        OTHER = "other", "Cơ quan khác"

    code = models.CharField("mã định danh", max_length=40, unique=True)
    name = models.CharField("tên", max_length=300)
    # fold(name) (motcua.lib.text): accent- and case-insensitive search by name. Kept by services.
    name_folded = models.CharField(max_length=300, editable=False, default="")
    short_name = models.CharField("tên viết tắt", max_length=100, blank=True)
    kind = models.CharField("loại", max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="cơ quan cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of primary keys ("/1/5/23/"): subtree queries are one indexed
    # prefix match (path__startswith) instead of a recursive walk. Kept by services.
    path = models.CharField(max_length=500, db_index=True, editable=False, default="")
    admin_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="địa bàn phục vụ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    schedule = models.ForeignKey(
        "workcalendar.WorkSchedule",
        verbose_name="lịch làm việc",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text="Để trống: lịch mặc định.",
    )
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    phone = models.CharField("điện thoại", max_length=50, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class ServicePoint(models.Model):
    """A place where citizens hand in dossiers (a centre's branch, a commune's one-stop unit)."""

    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="service_points"
    )
    name = models.CharField("tên", max_length=300)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    schedule = models.ForeignKey(
        "workcalendar.WorkSchedule",
        verbose_name="giờ mở cửa",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_points",
        help_text="Để trống: theo lịch của cơ quan.",
    )
    active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        verbose_name = "điểm tiếp nhận"
        verbose_name_plural = "điểm tiếp nhận"
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """A numbered counter (quầy) at a service point. The fields it serves: catalog.Field.counters."""

    service_point = models.ForeignKey(
        ServicePoint, verbose_name="điểm tiếp nhận", on_delete=models.CASCADE, related_name="counters"
    )
    number = models.PositiveSmallIntegerField("số quầy")
    name = models.CharField("tên", max_length=200, blank=True)
    active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        verbose_name = "quầy"
        verbose_name_plural = "quầy"
        ordering = ["service_point", "number"]
        constraints = [
            models.UniqueConstraint(fields=["service_point", "number"], name="counter_number_unique")
        ]

    def __str__(self) -> str:
        return f"Quầy số {self.number}" + (f" – {self.name}" if self.name else "")


class Membership(models.Model):
    """A role granted to a staff user on an agency and (by default) every agency below it."""

    class Role(models.TextChoices):
        RECEPTIONIST = "receptionist", "Cán bộ một cửa"
        SPECIALIST = "specialist", "Chuyên viên"
        LEADER = "leader", "Lãnh đạo"
        DIRECTOR = "director", "Giám đốc trung tâm"
        SUPERVISOR = "supervisor", "Giám sát (chỉ xem)"
        ADMINISTRATOR = "administrator", "Quản trị"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    include_subtree = models.BooleanField("cả các cơ quan trực thuộc", default=True)
    active = models.BooleanField("hiệu lực", default=True)

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency}"
