"""The dashboard's bar charts, drawn as inline SVG from a breakdown's rows (no JavaScript)."""

from django import template

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


@register.inclusion_tag("reporting/_bar_chart.html")
def bar_chart(breakdown, chart_id: str):
    """Horizontal bars, one per row, as long as the row's count against the largest."""
    largest = max((row.count for row in breakdown.rows if row.count is not None), default=0)
    bars = []
    for index, row in enumerate(breakdown.rows):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = round(BAR_AREA * row.count / largest) if largest and row.count is not None else 0
        bars.append(
            {
                "label": row.label if len(row.label) <= LABEL_CHARACTERS else row.label[: LABEL_CHARACTERS - 1] + "…",
                "value": suppression.cell(row.count),
                "y": y,
                "text_y": y + BAR_HEIGHT * 2 // 3,
                "width": width,
                "number_x": LABEL_WIDTH + width + 6,
            }
        )
    summary = "; ".join(f"{row.label}: {suppression.cell(row.count)}" for row in breakdown.rows)
    return {
        "id": chart_id,
        "title": f"Bar chart of {breakdown.counts}: {breakdown.title}",
        "description": summary or f"No {breakdown.counts}.",
        "bars": bars,
        "width": LABEL_WIDTH + BAR_AREA + NUMBER_WIDTH,
        "height": max(len(bars), 1) * (BAR_HEIGHT + BAR_GAP),
        "label_x": LABEL_WIDTH - 8,
        "bar_x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }
