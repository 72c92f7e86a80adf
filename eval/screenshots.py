"""The README's screenshots, regenerated: the UI served on a free loopback port, Debian's chromium
at desktop width (1280 px) and at phone width (390 px), asking the README's example question.

    python eval/screenshots.py [--out eval/screenshots]

Writes answer.png (desktop), phone.png (phone, the answer), names.png (the 村庄与主题 page
with one entry expanded) and library.png (the 资料管理 tab a trainer sees after logging in; it
only looks, nothing is uploaded). The test suite never writes these files; this script does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
QUESTION = "五四村是如何筹集资金的？"
DESKTOP = {"width": 1280, "height": 1000}
PHONE = {"width": 390, "height": 844}


def ask(page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    page.locator("#chat").get_by_text("引用", exact=True).first.wait_for(timeout=60000)
    page.wait_for_timeout(800)  # the page script scrolls the question into view


def library(browser, out: Path) -> None:
    """The 资料管理 tab, served with a login as a trainer's deployment would be."""
    from rag.assistant import Assistant
    from rag.config import Settings
    from rag.ui import build_demo, free_port, launch

    assistant = Assistant.load(Settings.from_env(auth="trainer:screenshots"))
    demo = build_demo(assistant)
    _, url, _ = launch(demo, assistant, "127.0.0.1", free_port(), prevent_thread_lock=True, quiet=True)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.locator("input[type=text]").first.fill("trainer")
        page.locator("input[type=password]").fill("screenshots")
        page.locator("input[type=password]").press("Enter")
        page.get_by_role("tab", name="资料管理").click()
        page.locator("#library-table").wait_for()
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "library.png"))
        page.close()
    finally:
        demo.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("screenshots"))
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"未找到浏览器 {CHROMIUM}（apt-get install chromium）", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    from rag.assistant import Assistant
    from rag.config import Settings
    from rag.ui import build_demo, free_port, launch

    assistant = Assistant.load(Settings.from_env())
    demo = build_demo(assistant)
    _, url, _ = launch(demo, assistant, "127.0.0.1", free_port(), prevent_thread_lock=True, quiet=True)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport=DESKTOP)
            page.goto(url)
            ask(page, QUESTION)
            page.screenshot(path=str(args.out / "answer.png"))
            page.get_by_role("tab", name="村庄与主题").click()
            page.locator("#name-choice input").click()
            page.get_by_role("option").first.click()
            page.locator("#name-view details summary").first.click()
            page.wait_for_timeout(300)
            page.screenshot(path=str(args.out / "names.png"))
            page.close()
            phone = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
            phone.goto(url)
            ask(phone, QUESTION)
            phone.screenshot(path=str(args.out / "phone.png"))
            library(browser, args.out)
            browser.close()
    finally:
        demo.close()
    for name in ("answer.png", "names.png", "phone.png", "library.png"):
        print(args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
