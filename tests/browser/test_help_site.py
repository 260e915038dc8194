"""The help site in a real browser: open /, follow to Book's page, log in, send the form, see a
PNR and the envelopes; the same in REST and plain XML; no request leaves the core's origin."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect


def _watch_origin(page: Page, site: str) -> list[str]:
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith(site + "/") or r.url == site else elsewhere.append(r.url)
        ),
    )
    return elsewhere


def test_book_from_the_soap_operation_page(page: Page, site: str, artefacts: Path) -> None:
    elsewhere = _watch_origin(page, site)
    page.goto(site + "/")
    expect(page.locator("h1")).to_have_text("IRCTC reservation core")
    page.screenshot(path=str(artefacts / "index.png"), full_page=True)

    page.get_by_role("link", name="Book", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/soap\?op=Book$"))
    expect(page.locator("h1")).to_have_text("Book")

    page.locator(".session button").click()
    expect(page.locator(".session .outcome")).to_contain_text("session token kept")
    expect(page.locator("#token")).not_to_have_value("")

    page.locator("form.tryit button").click()
    outcome = page.locator(".tryit-box .outcome")
    expect(outcome).to_contain_text(re.compile(r"HTTP 200 .* PNR \d{10}"))
    sent = page.locator(".tryit-box .sent")
    expect(sent).to_contain_text("POST /soap")
    expect(sent).to_contain_text("<urn:SessionToken>")
    expect(sent).not_to_contain_text("{{TOKEN}}")
    received = page.locator(".tryit-box .received")
    expect(received).to_contain_text("HTTP 200")
    expect(received).to_contain_text("server-timing: app;dur=")
    expect(received).to_contain_text("<tns:Pnr>")
    pnr = re.search(r"PNR (\d{10})", outcome.inner_text())
    assert pnr is not None
    expect(page.locator("#pnr")).to_have_value(pnr.group(1))
    page.screenshot(path=str(artefacts / "soap-book.png"), full_page=True)

    # The PNR travels to the next page: GetPnrStatus finds the booking just made.
    page.goto(site + "/soap?op=GetPnrStatus")
    page.locator("form.tryit button").click()
    expect(page.locator(".tryit-box .outcome")).to_contain_text(f"PNR {pnr.group(1)}")
    assert elsewhere == []


def test_a_fault_is_shown_as_a_fault(page: Page, site: str) -> None:
    page.goto(site + "/soap?op=SearchTrain")
    page.locator("#token").fill("no-such-token-0000000000")
    page.locator("form.tryit button").click()
    outcome = page.locator(".tryit-box .outcome")
    expect(outcome).to_contain_text("HTTP 500")
    expect(outcome).to_contain_text("Client.SessionInvalid")
    expect(outcome).to_have_class(re.compile(r"\bbad\b"))


def test_book_through_rest_and_plain_xml(page: Page, site: str, artefacts: Path) -> None:
    page.goto(site + "/help/rest/book")
    page.locator(".session button").click()
    expect(page.locator(".session .outcome")).to_contain_text("HTTP 201")
    page.locator("form.tryit button").click()
    expect(page.locator(".tryit-box .outcome")).to_contain_text(
        re.compile(r"HTTP 201 .* PNR \d{10}")
    )
    expect(page.locator(".tryit-box .sent")).to_contain_text("Authorization: Bearer ")
    expect(page.locator(".tryit-box .received")).to_contain_text('"pnr":')
    page.screenshot(path=str(artefacts / "rest-book.png"), full_page=True)

    page.goto(site + "/help/xml/Book")
    page.locator("form.tryit button").click()  # the REST login's token serves every era
    expect(page.locator(".tryit-box .outcome")).to_contain_text(
        re.compile(r"HTTP 200 .* PNR \d{10}")
    )
    expect(page.locator(".tryit-box .received")).to_contain_text("<Response>")


def test_report_page_shows_its_charts(page: Page, site: str, artefacts: Path) -> None:
    page.goto(site + "/help/report")
    expect(page.locator("h1")).to_contain_text("SOAP, REST and plain XML")
    images = page.locator("figure img")
    assert images.count() >= 4
    for i in range(images.count()):
        width = images.nth(i).evaluate("img => img.complete && img.naturalWidth")
        assert width and width > 100
    expect(page.locator("main")).to_contain_text("Python")
    expect(page.locator("main")).to_contain_text("commit")
    page.screenshot(path=str(artefacts / "report.png"), full_page=True)
