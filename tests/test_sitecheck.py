"""`briefings check --site`: what an inspection of a government website counts against it."""

from __future__ import annotations

import datetime as dt

import pytest
from sitebuilder import make_site

from briefings.check import check_site
from briefings.cli import main
from briefings.site import BuildOptions

NOW = dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)

SITE = '''title = "测试简报"
base_url = "https://example.org/"
taxonomies = ["tags", "meeting"]

[disclosure]
org_code = "ORG1"
publisher = "市教育局"

[check]
home_days = 30

[tags."双减"]
stale_after = 400

[tags."课后服务"]

[tags."校园安全"]
'''


def md(title: str, date: str, tags: str = "", meeting: str = "") -> str:
    extra = (f"tags: [{tags}]\n" if tags else "") + (f"meeting: {meeting}\n" if meeting else "")
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{title}。\n"


def findings(site, now: dt.datetime = NOW) -> list[str]:
    result = check_site(site.root, BuildOptions(now=now), site=True)
    return [d.format() for d in result.findings if d.rule in SITE_RULES]


SITE_RULES = {"stale-home", "stale-column", "empty-column", "no-publisher", "no-date", "broken-link",
              "duplicate-index-no"}


def test_stale_home_and_columns_by_their_periods(tmp_path):
    site = make_site(tmp_path, f"-- content/a.md --\n{md('甲会', '2023-12-01', '双减', '局务会')}"
                               f"-- content/b.md --\n{md('乙会', '2023-08-01', '课后服务')}", config=SITE)
    found = findings(site)
    assert found == [
        "index.html: warning: stale-home: home page not updated for 91 days (newest briefing 2023-12-01, "
        "limit 30 days) (publish a briefing, or set `home_days` under [check] in site.toml)",
        "meeting/ju-wu-hui/index.html: warning: stale-column: column “局务会” not updated for 91 days (newest "
        "briefing 2023-12-01, limit 14 days) (publish in it, or give it `stale_after` days in site.toml)",
        "site.toml:17: warning: empty-column: theme “校园安全” has no briefing: its column is empty "
        "(publish under it, or take it out of [tags])",
        "tags/ke-hou-fu-wu/index.html: warning: stale-column: column “课后服务” not updated for 213 days (newest "
        "briefing 2023-08-01, limit 183 days) (publish in it, or give it `stale_after` days in site.toml)",
    ]  # 双减 is allowed 400 days; the meeting column counts as news (14 days)
    assert findings(site, dt.datetime(2023, 12, 10, tzinfo=dt.UTC)) == [found[2]]


@pytest.mark.parametrize(("days", "stale"), [(13, False), (15, True)])
def test_the_news_period_is_two_weeks_by_default(tmp_path, days, stale):
    site = make_site(tmp_path, f"-- content/a.md --\n{md('会', '2024-01-01', meeting='局务会')}",
                     config='title = "简报"\nbase_url = "https://example.org/"\ntaxonomies = ["tags", "meeting"]\n')
    found = findings(site, dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=days))
    assert any("stale-column" in f for f in found) is stale
    assert any("stale-home" in f for f in found) is stale


def test_briefings_without_publisher_and_broken_links_on_any_page(tmp_path):
    site = make_site(tmp_path, f"-- content/a.md --\n{md('甲会', '2024-02-28', '双减')}"
                               "-- templates/_care.html --\n<a href=\"/nowhere/\">x</a> <a href=\"/tags/\">ok</a>\n"
                               f"-- content/b.md --\n{md('乙会', '2024-02-27')}")
    found = findings(site)
    assert "content/a.md:2: warning: no-publisher: no 发布机构 (publisher) (add `publisher:` or set `publisher` " \
           "under [disclosure] in site.toml)" in found
    broken = [f for f in found if "broken-link" in f]
    assert "index.html: warning: broken-link: link to /nowhere/ leads to no page of the site" in broken
    assert not [f for f in broken if "nowhere" not in f]  # /tags/ and the theme's own links all lead somewhere
    assert "2024/02/jia-hui/index.html: warning: broken-link: link to /nowhere/ leads to no page of the site" in broken


def test_a_page_without_the_labelled_date_is_reported(tmp_path):
    site = make_site(tmp_path, f"-- content/a.md --\n{md('甲会', '2024-02-28')}", config=SITE)
    page = site.root / "themes/default/templates/briefing.html"  # a theme that drops the date labels
    text = page.read_text(encoding="utf-8").replace('{% include "_disclosure.html" %}', "")
    page.write_text(text.replace("t('published')", "''"), encoding="utf-8")
    assert "content/a.md: warning: no-date: /2024/02/jia-hui/ shows no date labelled 发布日期 / Published " \
           "(an unlabelled date counts as none: keep the theme's disclosure table)" in findings(site)


def test_the_command_prints_counts_and_exits_0_unless_strict(tmp_path, capsys):
    site = make_site(tmp_path, f"-- content/a.md --\n{md('甲会', '2020-01-01', '双减')}", config=SITE)
    assert main(["check", str(site.root), "--site"]) == 0
    out = capsys.readouterr().out
    assert "index.html: warning: stale-home: home page not updated for" in out
    assert out.rstrip().endswith("site checks: 1 stale-home, 1 stale-column, 2 empty-column")
    assert main(["check", str(site.root), "--site", "--strict"]) == 1
    capsys.readouterr()
    assert main(["check", str(site.root)]) == 0
    assert "site checks" not in capsys.readouterr().out


def test_a_clean_site_passes_strict(tmp_path, capsys):
    today = dt.date.today().isoformat()
    site = make_site(tmp_path, f"-- content/a.md --\n{md('甲会', today, '双减')}",
                     config='title = "简报"\nbase_url = "https://example.org/"\n[disclosure]\npublisher = "市教育局"\n'
                            '[tags."双减"]\n')
    assert main(["check", str(site.root), "--site", "--strict"]) == 0, capsys.readouterr().out
    assert capsys.readouterr().out.rstrip().endswith("site checks: no problems")


def test_a_site_under_a_sub_path_has_no_broken_links_of_its_own(tmp_path):
    """Deployed under /wjw/, every page links /wjw/…: those are the site's own pages, not broken links
    (seen trying a new site: 109 false broken-link warnings); a link that misses stays reported."""
    config = 'title = "区卫健委简报"\nbase_url = "https://example.gov.cn/wjw/"\n'
    site = make_site(tmp_path, f"-- content/a.md --\n{md('甲会', '2024-02-28', '双减')}"
                               "-- templates/_care.html --\n<a href=\"/wjw/nowhere/\">x</a>\n"
                               f"-- content/b.md --\n{md('乙会', '2024-02-27')}", config=config)
    broken = [f for f in findings(site) if "broken-link" in f]
    assert broken and all("/wjw/nowhere/" in f for f in broken)
