"""Password rules beyond Django's: no composition rules, but no words from the service's context."""

from django.core.exceptions import ValidationError

# Words an attacker would try first against this service (security battery A6).
CONTEXT_WORDS = ("homeward", "haven", "missing", "password", "police", "council")


class ContextWordValidator:
    def validate(self, password, user=None):
        lowered = password.lower()
        for word in CONTEXT_WORDS:
            if word in lowered and len(password) < 4 * len(word):
                raise ValidationError(
                    "Your password must not be built around the word “%(word)s”.",
                    code="password_context_word",
                    params={"word": word},
                )

    def get_help_text(self):
        return "Your password must not be built around the name of this service or common words."
