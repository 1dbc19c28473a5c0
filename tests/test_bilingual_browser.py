"""A reader follows the language switch both ways in a real browser."""

from __future__ import annotations

from browser import serve_folder
from sitebuilder import make_site
from test_bilingual import CONFIG, PAIR

pytest_plugins = ["browser"]


def test_language_switch_both_ways(tmp_path, chromium):
    site = make_site(tmp_path, PAIR, config=CONFIG)
    assert site.build().ok
    with serve_folder(site.out) as base:
        page = chromium.new_page()
        page.goto(base + "2023/06/ke-hou-fu-wu-tui-jin-hui/")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        page.get_by_role("link", name="English", exact=True).click()
        page.wait_for_url("**/en/2023/06/after-school-services-meeting/")
        assert page.locator("h1").inner_text() == "After-school services meeting"
        assert page.locator("html").get_attribute("lang") == "en"
        page.get_by_role("link", name="中文", exact=True).click()
        page.wait_for_url("**/2023/06/ke-hou-fu-wu-tui-jin-hui/")
        assert page.locator("h1").inner_text() == "课后服务推进会"
        # A briefing without a translation switches to the other edition's home.
        page.goto(base + "en/2023/06/english-only/")
        page.get_by_role("link", name="中文", exact=True).click()
        page.wait_for_url(base)
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        page.close()
