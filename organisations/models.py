"""Local authorities, agencies and the people who work in them, with their roles."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import OuterRef, StringAgg, Subquery, Value
from django.db.models.functions import Cast
from simple_history.models import HistoricalRecords

from .roles import AgencyKind, Role


class LocalAuthority(models.Model):
    """An English local authority with children's services (reference data, loaded by migration)."""

    name = models.CharField(max_length=100, unique=True)
    ons_code = models.CharField("ONS code", max_length=9, unique=True)
    region = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self):
        return self.name


class Agency(models.Model):
    """An organisation whose people use Homeward, and the local authorities it serves.

    Territorial police forces ship as reference data (kind police, with their short code);
    councils, charities and health or education services are added by administrators.
    """

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    code = models.CharField(max_length=10, blank=True, help_text="Short code, e.g. GMP for a police force.")
    local_authorities = models.ManyToManyField(
        LocalAuthority, related_name="agencies", blank=True, verbose_name="local authorities served"
    )
    history = HistoricalRecords(m2m_fields=[local_authorities])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"], condition=~models.Q(code=""), name="agency_code_unique_per_kind"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_police(self) -> bool:
        return self.kind == AgencyKind.POLICE

    def authority_ids(self) -> set[int]:
        """The ids of the local authorities the agency serves, read once per instance: scoping
        asks several times within one request, through the memberships `User` caches."""
        if not hasattr(self, "_authority_ids"):
            self._authority_ids = frozenset(self.local_authorities.values_list("pk", flat=True))
        return set(self._authority_ids)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in. Accounts are created by administrators; nobody signs up."""

    username = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]
    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def active_memberships(self):
        # Cached per instance: scoping asks several times within one request.
        # The agencies' authority ids come in the same query (read by Agency.authority_ids).
        if not hasattr(self, "_memberships_cache"):
            served = (
                Agency.local_authorities.through.objects.filter(agency_id=OuterRef("agency_id"))
                .values("agency_id")
                .annotate(ids=StringAgg(Cast("localauthority_id", models.TextField()), Value(",")))
                .values("ids")
            )
            memberships = list(
                self.memberships.filter(active=True).select_related("agency").annotate(served=Subquery(served))
            )
            for membership in memberships:
                membership.agency._authority_ids = frozenset(int(i) for i in (membership.served or "").split(",") if i)
            self._memberships_cache = memberships
        return self._memberships_cache

    def roles(self) -> set[str]:
        return {m.role for m in self.active_memberships()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    def agencies(self) -> list[Agency]:
        return [m.agency for m in self.active_memberships()]


class Membership(models.Model):
    """A person's role in an agency. A person may hold several (e.g. a manager who is also an IRO)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.agency}"
