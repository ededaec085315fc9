"""Load the reference data: England's local authorities with children's services, and the
territorial police forces of England and Wales with the authorities each one covers.

The data lives in organisations/data/*.csv. Loading is idempotent (update_or_create keyed on
the ONS code and on the police force's short code), so the loader may be run again after the
CSVs change. Reversing the migration leaves the rows in place: other records refer to them.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LOCAL_AUTHORITIES_CSV = DATA_DIR / "local_authorities.csv"
POLICE_FORCES_CSV = DATA_DIR / "police_forces.csv"
POLICE = "police"  # AgencyKind.POLICE; a literal, as migrations must not import app code.


def _rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return [{key: value.strip() for key, value in row.items()} for row in csv.DictReader(handle)]


def load_reference_data(apps, schema_editor=None):
    """Create or update every local authority and police force from the CSVs.

    Takes the migration's `apps` (or `django.apps.apps`), so tests can call it directly.
    """
    LocalAuthority = apps.get_model("organisations", "LocalAuthority")
    Agency = apps.get_model("organisations", "Agency")

    by_code = {}
    for row in _rows(LOCAL_AUTHORITIES_CSV):
        authority, _ = LocalAuthority.objects.update_or_create(
            ons_code=row["ons_code"], defaults={"name": row["name"], "region": row["region"]}
        )
        by_code[authority.ons_code] = authority

    for row in _rows(POLICE_FORCES_CSV):
        codes = [code.strip() for code in row["local_authority_ons_codes"].split(";") if code.strip()]
        unknown = sorted(set(codes) - set(by_code))
        if unknown:
            raise ValueError(f"Police force {row['code']} lists unknown ONS codes: {', '.join(unknown)}")
        force, _ = Agency.objects.update_or_create(kind=POLICE, code=row["code"], defaults={"name": row["name"]})
        force.local_authorities.set([by_code[code] for code in codes])


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [migrations.RunPython(load_reference_data, migrations.RunPython.noop)]
