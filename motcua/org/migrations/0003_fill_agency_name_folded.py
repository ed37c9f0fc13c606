"""Fill Agency.name_folded for agencies created before the column existed."""

import re
import unicodedata

from django.db import migrations

_NON_WORD = re.compile(r"[^0-9a-z]+")


def _fold(text):
    # A frozen copy of motcua.lib.text.fold (migrations never import app code).
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _NON_WORD.sub(" ", stripped.lower()).strip()


def fill_name_folded(apps, schema_editor):
    Agency = apps.get_model("org", "Agency")
    rows = list(Agency.objects.filter(name_folded="").only("pk", "name"))
    for agency in rows:
        agency.name_folded = _fold(agency.name)[:300]
    Agency.objects.bulk_update(rows, ["name_folded"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("org", "0002_agency_name_folded")]

    operations = [migrations.RunPython(fill_name_folded, migrations.RunPython.noop)]
