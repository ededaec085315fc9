"""Grant the application's database role its privileges, append-only on the audit tables
(security battery H5). Run as the owner after every migration: docs/security.md."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from privacy.db_roles import UnknownRole, append_only_tables, grant_app_role


class Command(BaseCommand):
    help = "Grant ROLE read and write on case data and only SELECT and INSERT on the audit tables."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the database role the web and the workers connect as")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are for PostgreSQL; this database is " + connection.vendor + ".")
        try:
            statements = grant_app_role(role)
        except UnknownRole as error:
            raise CommandError(str(error)) from error
        for statement in statements:
            self.stdout.write(statement)
        self.stdout.write(f"{role} may now only add to: {', '.join(append_only_tables())}.")
