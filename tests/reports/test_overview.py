"""The year page answers first (issue 11, point 1): the pledge's figure and one row per
promise right after the heading, the legend folded beside it with every status linking to
its meaning, anchors by the published number; Swedish content marked as such on English
pages; charts in the page's number format, saying which way is better."""

import re
from html.parser import HTMLParser

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_today")]


class Outline(HTMLParser):
    """The start tags of <main> in document order, as (tag, class, id) triples."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.tags = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.inside = True
        elif self.inside:
            self.tags.append((tag, attrs.get("class") or "", attrs.get("id") or ""))

    def handle_endtag(self, tag):
        if tag == "main":
            self.inside = False


def outline(html):
    parser = Outline()
    parser.feed(html)
    return parser.tags


def test_the_overview_is_the_first_content_after_the_heading(client, demo_pledge):
    html = client.get("/kommun/asele/2018/").content.decode()
    tags = outline(html)
    h1 = next(i for i, (tag, _c, _id) in enumerate(tags) if tag == "h1")
    following = [(tag, cls) for tag, cls, _id in tags[h1 + 1 : h1 + 3]]
    assert following == [("article", "pledge"), ("section", "overview")]
    overview = html.index('class="overview"')
    assert overview < html.index('class="legend"') < html.index('class="commitment"')
    # Background and "What has changed?" come after the promises.
    last_promise = html.rindex('class="commitment"')
    assert last_promise < html.index('class="lineage"')


def test_each_promise_has_a_row_linking_to_its_section_by_its_published_number(client, demo_pledge):
    html = client.get("/kommun/asele/2018/").content.decode()
    overview = html[html.index('class="overview"') : html.index('class="legend"')]
    rows = re.findall(r'<li class="overview-row">(.*?)</li>', overview, re.S)
    # 2018 dropped promise 4 and added promise 5: the numbers are the published ones.
    anchors = [re.search(r'href="#(lofte-\d+)"', row).group(1) for row in rows]
    assert anchors == ["lofte-1", "lofte-2", "lofte-3", "lofte-5"]
    for anchor in anchors:
        assert f'<section class="commitment" id="{anchor}"' in html
    assert "Löfte 5" in overview
    assert "6 trafikinsatser" in overview  # the figure, in words
    assert 'class="bar bar-mini"' in overview
    for status in set(re.findall(r'href="#(status-[a-z_]+)"', overview)):
        assert f'id="{status}"' in html  # every status word links to its meaning


def test_the_legend_is_a_folded_explanation(client, demo_pledge):
    html = client.get("/kommun/asele/2017/").content.decode()
    legend = html[html.index('<details class="legend">') :]
    assert legend.index("<summary>Så läser du siffrorna</summary>") < legend.index("</details>")
    assert 'id="status-not_assessed"' in legend


def test_english_pages_mark_the_swedish_content(client, demo_pledge):
    html = client.get("/en/kommun/asele/2017/").content.decode()
    assert '<html lang="en">' in html
    assert '<blockquote class="promise" lang="sv">' in html
    assert re.search(r'<h2 id="pledge-\d+-heading" lang="sv">Medborgarlöfte 2017</h2>', html)


def test_charts_use_the_pages_number_format_and_say_which_way_is_better(client, demo_pledge):
    swedish = client.get("/kommun/asele/2017/").content.decode()
    english = client.get("/en/kommun/asele/2017/").content.decode()
    # The trygghetsindex (0-6, lower is better): grid lines at 1.5 and 4.5.
    assert re.search(r'class="chart-label"[^>]*>1,5<', swedish)
    assert re.search(r'class="chart-label"[^>]*>1\.5<', english)
    assert "↓ Lägre är bättre" in swedish
    assert "↓ Lower is better" in english
    assert "↑ Högre är bättre" in swedish  # the share who trust the police


def test_the_other_english_pages_mark_the_swedish_content_too(client, demo_pledge):
    municipality = client.get("/en/kommun/asele/").content.decode()
    assert '<span class="promise-short" lang="sv">' in municipality
    for path in set(re.findall(r'href="(/en/kommun/asele/dialoger/\d+/)"', municipality)):
        html = client.get(path).content.decode()
        if "</strong>: <span" in html:  # a dialogue with public concerns
            assert re.search(r'</strong>: <span lang="sv">', html)
            break
    else:
        pytest.fail("no dialogue page with public concerns")
