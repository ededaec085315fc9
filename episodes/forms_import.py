"""The police feed upload form: it only reads the file from the request; the service checks it."""

from django import forms


class FeedUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a police feed file",
        help_text="A CSV file in the police feed format, saved as UTF-8, up to 50 MB",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )
