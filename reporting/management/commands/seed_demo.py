"""Fill an empty database with synthetic demo data: organisations, one user per role, children
and a year of their episodes."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from children.demo import demo_children_exist, seed_children
from episodes.demo import demo_episodes_exist, seed_episodes
from interviews.demo import demo_interviews_exist, seed_interviews
from organisations.demo import DEMO_PASSWORD, DEMO_PEOPLE, seed_organisations
from privacy.demo import demo_retention_exists, seed_retention
from reporting.snapshot_services import dashboard_snapshots_refresh
from risk.demo import demo_risk_exists, seed_risk


class Command(BaseCommand):
    help = "Create demo organisations, one user per role, a few hundred synthetic children and their episodes."

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=300, help="how many children (default 300)")

    def handle(self, *args, children=300, **options):
        if settings.DJANGO_ENV == "prod":
            raise CommandError("Demo data is never loaded into a production database (DJANGO_ENV=prod).")
        organisations = seed_organisations()
        if demo_children_exist():
            self.stdout.write("Children already exist: no demo children added.")
        else:
            people = organisations.people
            seed_children(
                count=children,
                social_worker=people["social.worker@demo.homeward.invalid"],
                iro=people["iro@demo.homeward.invalid"],
            )
            self.stdout.write(f"Created {children} synthetic children.")
        if demo_episodes_exist():
            self.stdout.write("Episodes already exist: no demo episodes added.")
        else:
            people = organisations.people
            made = seed_episodes(
                coordinators={
                    "E08000003": people["coordinator@demo.homeward.invalid"],
                    "E08000007": people["coordinator.stockport@demo.homeward.invalid"],
                },
                police_spoc=people["police.spoc@demo.homeward.invalid"],
            )
            self.stdout.write(
                f"Created {made.episodes} episodes ({made.missing_now} still missing, {made.away} away from "
                f"placement) and {made.held} police records waiting to be confirmed."
            )
        if demo_interviews_exist():
            self.stdout.write("Return interviews already have outcomes: no demo interviews added.")
        else:
            people = organisations.people
            counts = seed_interviews(
                coordinators=[
                    people["coordinator@demo.homeward.invalid"],
                    people["coordinator.stockport@demo.homeward.invalid"],
                ],
                worker=people["rhi.worker@demo.homeward.invalid"],
                manager=people["manager@demo.homeward.invalid"],
            )
            self.stdout.write("Created return interviews: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
        if demo_risk_exists():
            self.stdout.write("Senior posts are already named: no demo escalations or meetings added.")
        else:
            people = organisations.people
            made = seed_risk(
                manager=people["manager@demo.homeward.invalid"],
                social_worker=people["social.worker@demo.homeward.invalid"],
                coordinators=[people["coordinator@demo.homeward.invalid"]],
            )
            self.stdout.write("Created escalations and meetings: " + ", ".join(f"{n} {k}" for k, n in made.items()))
        if demo_retention_exists():
            self.stdout.write("Legal holds already exist: no demo retention records added.")
        else:
            reviews = seed_retention(manager=organisations.people["manager@demo.homeward.invalid"])
            self.stdout.write(
                f"Created a record past its retention date, one under a legal hold, and {reviews} reviews."
            )
        kept = dashboard_snapshots_refresh(force=True)
        self.stdout.write(f"Counted {len(kept)} set(s) of dashboard figures for the regional team.")
        self.stdout.write("\nDemo sign-ins (every password is the same):")
        for email, _full_name, _agency, role in DEMO_PEOPLE:
            self.stdout.write(f"  {role.label:<40} {email}")
        self.stdout.write(f"  Password: {DEMO_PASSWORD}\n")
