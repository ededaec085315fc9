"""Children, their aliases and the establishments they are placed in (after domain.md, 'Children')."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from missing.links import record_url
from organisations.models import LocalAuthority

from .scope import ChildQuerySet


class Gender(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class LegalStatus(models.TextChoices):
    NONE = "none", "No social care involvement"
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection plan"
    LOOKED_AFTER_S20 = "looked_after_s20", "Looked after (section 20)"
    LOOKED_AFTER_CARE_ORDER = "looked_after_care_order", "Looked after (care order)"
    CARE_LEAVER = "care_leaver", "Care leaver"


class EthnicityCode(models.TextChoices):
    """The DfE's ethnicity codes, as the SSDA903 return and the school census use them."""

    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WOTH = "WOTH", "Any other White background"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Caribbean"
    BAFR = "BAFR", "African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


# A Unique Pupil Number: a letter other than I, O or S, then 12 digits or 11 digits and a letter;
# or one of the DfE's codes UN1 to UN5 when the UPN is not known (the SSDA903 rule 168).
validate_upn = RegexValidator(
    r"^((?![IOS])[A-Z](\d{12}|\d{11}[A-Z])|UN[1-5])$",
    "Enter a Unique Pupil Number of 13 characters, like A123456789012, or UN1 to UN5 when it is not known.",
)


# Care leavers get the same response as children while 16 or 17; records stay open to 24 (domain.md).
MAXIMUM_AGE = 25

LOOKED_AFTER = frozenset({LegalStatus.LOOKED_AFTER_S20, LegalStatus.LOOKED_AFTER_CARE_ORDER})


class PlacementType(models.TextChoices):
    RESIDENTIAL = "residential", "Residential children's home"
    FOSTER = "foster", "Foster care"
    KINSHIP = "kinship", "Kinship care"
    SEMI_INDEPENDENT = "semi_independent", "Semi-independent accommodation"
    SECURE = "secure", "Secure children's home"


class Establishment(models.Model):
    """A place children are placed: a children's home, a fostering household's agency, and so on."""

    name = models.CharField(max_length=200)
    placement_type = models.CharField(max_length=30, choices=PlacementType.choices)
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    postcode = models.CharField(max_length=8, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# Vulnerability flags, in domain.md's order: (field name, label).
VULNERABILITY_FLAGS = [
    ("flag_cse", "Child sexual exploitation (CSE)"),
    ("flag_criminal_exploitation", "Criminal exploitation or gangs"),
    ("flag_trafficking", "Trafficking"),
    ("flag_uasc", "Unaccompanied asylum-seeking child"),
    ("flag_radicalisation", "Radicalisation"),
    ("flag_forced_marriage", "Forced marriage or honour-based abuse"),
    ("flag_fgm", "Female genital mutilation (FGM)"),
    ("flag_mental_health", "Mental health"),
    ("flag_self_harm", "Self-harm or suicide risk"),
    ("flag_substance_misuse", "Substance misuse"),
    ("flag_disability", "Disability or learning difficulty"),
    ("flag_medication", "Essential medication"),
]


def age_on(date_of_birth: datetime.date | None, day: datetime.date) -> int | None:
    """Age in whole years on `day` (None when the date of birth is not known)."""
    if date_of_birth is None:
        return None
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def photo_path(instance, filename: str) -> str:
    """A child's photo is stored under a name of our own: the uploaded name may name the child,
    or carry path tricks (issue 7, 'Bad input'); only a known image extension is kept."""
    extension = next((e for e in (".jpg", ".jpeg", ".png") if filename.lower().endswith(e)), "")
    return f"photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class Child(models.Model):
    """A child (under 18) or a care leaver aged 16 or 17, as every agency knows them."""

    given_name = models.CharField(max_length=200)
    family_name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_estimated = models.BooleanField("date of birth is an estimate", default=False)
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    ethnicity = models.CharField(max_length=100, blank=True)
    ethnicity_code = models.CharField(
        "ethnicity (DfE code)",
        max_length=4,
        choices=EthnicityCode.choices,
        blank=True,
        help_text="The code reported to the DfE in the SSDA903 return.",
    )
    upn = models.CharField(
        "Unique Pupil Number (UPN)",
        max_length=13,
        blank=True,
        validators=[validate_upn],
        help_text="13 characters, like A123456789012. UN1 to UN5 when it is not known.",
    )
    # The SSDA903 'MOTHER' and 'MC_DOB': is the young person a mother, and her child's birth date.
    mother = models.BooleanField("the young person is a mother", null=True, blank=True)
    mother_child_dob = models.DateField("date of birth of the mother's child", null=True, blank=True)
    address = models.TextField("home address", blank=True)
    postcode = models.CharField(max_length=8, blank=True)

    legal_status = models.CharField(max_length=30, choices=LegalStatus.choices, default=LegalStatus.NONE)
    legal_status_since = models.DateField(null=True, blank=True)
    s47_enquiry = models.BooleanField(
        "subject of section 47 enquiries",
        default=False,
        help_text="Enquiries under section 47 of the Children Act 1989 are under way.",
    )
    # Indexed with the child's id (Meta.indexes), not alone.
    responsible_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="children_responsible_for", db_index=False
    )
    host_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        related_name="children_hosted",
        db_index=False,
        null=True,
        blank=True,
        help_text="The authority the child is placed in, when placed out of area.",
    )
    placement_type = models.CharField(max_length=30, choices=PlacementType.choices, blank=True)
    establishment = models.ForeignKey(
        Establishment, on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    placement_start = models.DateField(null=True, blank=True)
    placement_emergency = models.BooleanField(
        "this was an emergency placement",
        default=False,
        help_text="A risk assessment is then due within 3 working days of the placement starting.",
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    iro = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="independent reviewing officer",
    )

    flag_cse = models.BooleanField(VULNERABILITY_FLAGS[0][1], default=False)
    flag_criminal_exploitation = models.BooleanField(VULNERABILITY_FLAGS[1][1], default=False)
    flag_trafficking = models.BooleanField(VULNERABILITY_FLAGS[2][1], default=False)
    flag_uasc = models.BooleanField(VULNERABILITY_FLAGS[3][1], default=False)
    flag_radicalisation = models.BooleanField(VULNERABILITY_FLAGS[4][1], default=False)
    flag_forced_marriage = models.BooleanField(VULNERABILITY_FLAGS[5][1], default=False)
    flag_fgm = models.BooleanField(VULNERABILITY_FLAGS[6][1], default=False)
    flag_mental_health = models.BooleanField(VULNERABILITY_FLAGS[7][1], default=False)
    flag_self_harm = models.BooleanField(VULNERABILITY_FLAGS[8][1], default=False)
    flag_substance_misuse = models.BooleanField(VULNERABILITY_FLAGS[9][1], default=False)
    flag_disability = models.BooleanField(VULNERABILITY_FLAGS[10][1], default=False)
    flag_medication = models.BooleanField(VULNERABILITY_FLAGS[11][1], default=False)

    # The vulnerable person's pen picture, used when reporting the child missing to the police.
    physical_description = models.TextField(blank=True)
    usual_clothing = models.TextField(blank=True)
    phone = models.CharField("mobile phone", max_length=30, blank=True)
    places_frequented = models.TextField(blank=True)
    associates = models.TextField(blank=True, help_text="Adults of concern and peers the child spends time with.")
    photo = models.ImageField(upload_to=photo_path, blank=True)
    photo_taken_on = models.DateField(null=True, blank=True)

    # Lower-cased, accent-free "given family aliases" for search that ignores case and accents.
    search_text = models.TextField(editable=False, default="")
    # "given family" normalised the same way, for matching police records to children.
    name_key = models.CharField(max_length=401, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # History is read by child (its own id), never by these: see Episode.history.
    history = HistoricalRecords(
        excluded_fields=["search_text", "name_key", "updated_at"],
        no_db_index=["responsible_authority", "host_authority", "establishment", "social_worker", "iro"],
    )
    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "children"
        indexes = [
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["family_name", "given_name"]),
            # The scope reads the ids of an authority's children from these alone, the newest
            # first if asked (an index-only scan, children/scope.py); they serve every other
            # lookup by authority too.
            models.Index(fields=["responsible_authority", "created_at", "id"], name="child_responsible_scope_idx"),
            models.Index(fields=["host_authority", "created_at", "id"], name="child_host_scope_idx"),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return record_url("children:detail", self.pk)

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.date_of_birth and self.date_of_birth > today:
            errors["date_of_birth"] = "Date of birth must be today or in the past."
        elif self.date_of_birth and self.age_on(today) >= MAXIMUM_AGE:
            errors["date_of_birth"] = (
                f"Homeward is for children and young care leavers: the child must be under {MAXIMUM_AGE}."
            )
        if self.host_authority_id and self.host_authority_id == self.responsible_authority_id:
            errors["host_authority"] = (
                "Leave the host authority empty when the child is placed in the responsible authority's own area."
            )
        if self.placement_start and self.date_of_birth and self.placement_start < self.date_of_birth:
            errors["placement_start"] = "The placement cannot start before the child was born."
        if self.placement_emergency and not self.placement_start:
            errors["placement_start"] = "Enter the date the emergency placement started."
        if self.mother and self.gender == Gender.MALE:
            errors["mother"] = "Only a girl or young woman can be recorded as a mother."
        if self.mother_child_dob and not self.mother:
            errors["mother_child_dob"] = "Record that the young person is a mother before her child's date of birth."
        elif self.mother_child_dob and self.date_of_birth and self.mother_child_dob <= self.date_of_birth:
            errors["mother_child_dob"] = "The mother's child must be born after the mother."
        if errors:
            raise ValidationError(errors)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_looked_after(self) -> bool:
        return self.legal_status in LOOKED_AFTER

    def age_on(self, day: datetime.date) -> int | None:
        return age_on(self.date_of_birth, day)

    def vulnerability_labels(self) -> list[str]:
        return [label for name, label in VULNERABILITY_FLAGS if getattr(self, name)]


class ChildAlias(models.Model):
    """Another name the child is known by (a nickname, a previous family name, a street name)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "child aliases"
        constraints = [models.UniqueConstraint(fields=["child", "name"], name="alias_unique_per_child")]

    def __str__(self):
        return self.name
