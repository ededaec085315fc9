"""The dashboard's bar charts (inline SVG, no JavaScript) and the rows of its tables, drawn from a
breakdown's rows."""

from urllib.parse import quote

from django import template
from django.utils.html import format_html, format_html_join

from reporting import suppression

register = template.Library()

BAR_HEIGHT = 24
BAR_GAP = 8
LABEL_WIDTH = 260
BAR_AREA = 300
NUMBER_WIDTH = 40
# Longer labels are cut in the chart; the table beside it and the description give them whole.
LABEL_CHARACTERS = 34


@register.filter
def shown(value):
    """A count, or the word for one withheld from this reader (reporting/suppression.py)."""
    return suppression.cell(value)


# The most bars a chart draws: its table gives every row (reporting/dashboard_views.py).
MOST_BARS = 20


CHART = (
    '<svg class="homeward-chart" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {width} {height}" '
    'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">\n'
    '  <title id="{id}-title">{title}</title>\n  <desc id="{id}-desc">{description}</desc>\n{bars}</svg>'
)
BAR = (
    '  <text x="{}" y="{}" text-anchor="end" font-size="14" fill="#0b0c0c">{}</text>\n'
    '  <rect x="{}" y="{}" width="{}" height="{}" fill="#1d70b8"></rect>\n'
    '  <text x="{}" y="{}" font-size="14" fill="#0b0c0c">{}</text>\n'
)


@register.simple_tag
def bar_chart(breakdown, chart_id: str):
    """Horizontal bars, one per row (the MOST_BARS first), as long as the row's count against
    the largest; drawn here rather than in a template, as the table rows below are."""
    rows = breakdown.rows[:MOST_BARS]
    largest = max((row.count for row in rows if row.count is not None), default=0)
    bars = []
    for index, row in enumerate(rows):
        y = index * (BAR_HEIGHT + BAR_GAP)
        text_y = y + BAR_HEIGHT * 2 // 3
        width = round(BAR_AREA * row.count / largest) if largest and row.count is not None else 0
        label = row.label if len(row.label) <= LABEL_CHARACTERS else row.label[: LABEL_CHARACTERS - 1] + "…"
        number = (LABEL_WIDTH + width + 6, text_y, suppression.cell(row.count))
        bars.append((LABEL_WIDTH - 8, text_y, label, LABEL_WIDTH, y, width, BAR_HEIGHT, *number))
    summary = "; ".join(f"{row.label}: {suppression.cell(row.count)}" for row in rows)
    return format_html(
        CHART,
        id=chart_id,
        width=LABEL_WIDTH + BAR_AREA + NUMBER_WIDTH,
        height=max(len(bars), 1) * (BAR_HEIGHT + BAR_GAP),
        title=f"Bar chart of {breakdown.counts}: {breakdown.title}",
        description=summary or f"No {breakdown.counts}.",
        bars=format_html_join("", BAR, bars),
    )


TABLE_ROW = (
    '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td></tr>'
)
RECORDS_LINK = (
    '<a class="govuk-link" href="{}?measure={}&amp;value={}&amp;{}">{}'
    '<span class="govuk-visually-hidden"> {}: {}, {}</span></a>'
)


@register.simple_tag
def breakdown_rows(breakdown, records_url: str, query: str, links: bool):
    """The rows of a breakdown's table: each bucket, its count (linked to the records behind it
    for readers who see names) and its children. Built here, not in the template language: a
    page of sixteen tables spent most of its time there (docs/benchmarks.md)."""

    def count(row):
        if not (links and row.count):
            return suppression.cell(row.count)
        noun = breakdown.counts[:-1] if row.count == 1 else breakdown.counts
        value = quote(row.key, safe="/")
        return format_html(
            RECORDS_LINK, records_url, breakdown.measure, value, query, row.count, noun, breakdown.title, row.label
        )

    return format_html_join(
        "\n", TABLE_ROW, ((row.label, count(row), suppression.cell(row.children)) for row in breakdown.rows)
    )
