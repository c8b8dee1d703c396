"""A small server-rendered line chart (SVG coordinates), so no JavaScript is needed."""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 600, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 32, 28, 32


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value: Decimal


@dataclass(frozen=True)
class Chart:
    points: list[Point]
    ticks: list[tuple[float, Decimal]]
    """(y, value) of each grid line; the template formats the value in the page's locale."""
    baseline: float
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT

    @property
    def label_y(self):
        """Where the year labels sit, under the lowest grid line."""
        return self.baseline + 20

    @property
    def tick_x(self):
        return self.left - 6

    @property
    def polyline(self):
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def line_chart(values, scale_min, scale_max, *, ticks=4) -> Chart | None:
    """Coordinates for (year, value) pairs on a fixed scale; None without values."""
    values = sorted(values)
    if not values:
        return None
    low, high = Decimal(scale_min), Decimal(scale_max)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM

    def y_of(value):
        return TOP + plot_height * float((high - Decimal(value)) / (high - low))

    years = [year for year, _value in values]
    first, last = min(years), max(years)
    span = max(last - first, 1)
    points = [
        Point(
            x=LEFT + (plot_width * (year - first) / span if last > first else plot_width / 2),
            y=y_of(value),
            label=str(year),
            value=Decimal(value),
        )
        for year, value in values
    ]
    step = (high - low) / ticks
    tick_marks = [(y_of(low + step * i), (low + step * i).normalize()) for i in range(ticks + 1)]
    return Chart(points=points, ticks=tick_marks, baseline=y_of(low))
