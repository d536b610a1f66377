"""Command line: ``python -m audit URL [options]``; the Django command reuses this module.

Exit codes: 0 no findings at or above --fail-on; 1 there are; 2 the audit could not run as
asked (bad option or URL, start URL blocked or unreachable); 3 with --fail-on-unfetched, some
pages in scope gave no answer even when tried again; 130 interrupted (the partial report is
still written).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from .analyse import PARSE_FAILED
from .browser import chromium_problem
from .config import OPTION_BOUNDS, EngineConfig, SiteProfile, load_profile
from .crawl import audit_site
from .errors import REDIRECT_REFUSALS, AuditError, InvalidConfig, error_code
from .report import FORMATS, render
from .results import AuditResult, Completeness, StopReason
from .version import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_PAGES_NOT_FETCHED = 3
ResultHook = Callable[[AuditResult, argparse.Namespace], None]


def bounded(name: str) -> Callable[[str], int | float]:
    """The argparse type of one EngineConfig option: its limits come from OPTION_BOUNDS."""
    bound = OPTION_BOUNDS[name]

    def parse(text: str) -> int | float:
        try:
            value = int(text) if bound.whole else float(text)
        except ValueError:
            kind = "a whole number" if bound.whole else "a number"
            raise argparse.ArgumentTypeError(
                f"{name} must be {kind} from {bound.low} to {bound.high}, got {text!r}"
            ) from None
        problem = bound.problem(name, value)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value

    parse.__name__ = name  # argparse names the type in its own messages
    return parse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """All audit options. The Django command adds its own (e.g. a later --save) after these."""
    parser.add_argument("url", help="start URL, e.g. https://example.org/")
    limits = parser.add_argument_group("crawl limits")
    limits.add_argument("--max-pages", type=bounded("max_pages"), default=10_000, metavar="N")
    limits.add_argument("--max-depth", type=bounded("max_depth"), default=None, metavar="N")
    limits.add_argument(
        "--single-page", action="store_true", help="audit only the start URL (no crawl)"
    )
    limits.add_argument(
        "--time-budget",
        type=bounded("time_budget"),
        default=None,
        metavar="SECONDS",
        help="stop after this long and report what was gathered",
    )
    limits.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="REGEX",
        help="only crawl URLs matching this pattern (repeatable)",
    )
    limits.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="REGEX",
        help="never crawl URLs matching this pattern (repeatable)",
    )
    limits.add_argument(
        "--extra-host",
        action="append",
        default=[],
        metavar="HOST",
        help="another host that belongs to the site (repeatable)",
    )
    fetching = parser.add_argument_group("fetching")
    fetching.add_argument("--concurrency", type=bounded("concurrency"), default=8, metavar="N")
    fetching.add_argument(
        "--delay",
        type=bounded("delay"),
        default=0.0,
        metavar="SECONDS",
        help="wait between requests",
    )
    fetching.add_argument("--timeout", type=bounded("timeout"), default=10.0, metavar="SECONDS")
    fetching.add_argument(
        "--retries",
        type=bounded("retries"),
        default=2,
        metavar="N",
        help="extra attempts on connection errors, 429 and 503",
    )
    fetching.add_argument("--max-redirects", type=bounded("max_redirects"), default=10, metavar="N")
    fetching.add_argument("--ignore-robots", action="store_true", help="do not obey robots.txt")
    fetching.add_argument("--no-sitemaps", action="store_true", help="do not read sitemaps")
    fetching.add_argument(
        "--no-link-check", action="store_true", help="do not check uncrawled link targets"
    )
    fetching.add_argument(
        "--workers",
        type=bounded("parse_workers"),
        default=None,
        metavar="N",
        help="parser processes (default: one per CPU; 0 parses in threads)",
    )
    parser.add_argument(
        "--profile",
        type=_profile_file,
        default=None,
        metavar="FILE",
        help="site profile (JSON): content_types, views_expected, site_name, hosts, page_types, "
        "source_meta",
    )
    browser = parser.add_argument_group("browser pass (headless Chromium and axe-core)")
    browser.add_argument(
        "--browser", action="store_true", help="also render pages in Chromium and run axe-core"
    )
    browser.add_argument(
        "--browser-sample",
        type=bounded("browser_sample"),
        default=None,
        metavar="N",
        help="render only N pages, covering every page type and template (default: all)",
    )
    browser.add_argument(
        "--chromium", default=EngineConfig.chromium_path, metavar="PATH", help="the Chromium to use"
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default=None,
        help="report format (default: from --output's extension, else text)",
    )
    output.add_argument("--output", "-o", default=None, metavar="FILE", help="write report here")
    output.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        default="error",
        help="exit 1 when findings of this severity or worse exist (default: error)",
    )
    output.add_argument(
        "--fail-on-unfetched",
        action="store_true",
        help="exit 3 when pages in scope gave no answer, even when tried again",
    )
    output.add_argument("--quiet", "-q", action="store_true", help="no progress output")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m audit",
        description="Crawl a site and report SEO and accessibility problems.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_arguments(parser)
    return parser


def config_from_args(args: argparse.Namespace) -> EngineConfig:
    return EngineConfig(
        max_pages=args.max_pages,
        max_depth=args.max_depth,
        single_page=args.single_page,
        time_budget=args.time_budget,
        include=tuple(args.include),
        exclude=tuple(args.exclude),
        extra_hosts=tuple(args.extra_host),
        concurrency=args.concurrency,
        delay=args.delay,
        timeout=args.timeout,
        retries=args.retries,
        max_redirects=args.max_redirects,
        ignore_robots=args.ignore_robots,
        use_sitemaps=not args.no_sitemaps,
        check_links=not args.no_link_check,
        parse_workers=args.workers,
        profile=args.profile,
        browser=args.browser,
        browser_sample=args.browser_sample,
        chromium_path=args.chromium,
    )


def _profile_file(path: str) -> SiteProfile:
    try:
        return load_profile(path)
    except InvalidConfig as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def report_format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    suffix = Path(args.output).suffix.lower().lstrip(".") if args.output else ""
    return {"htm": "html"}.get(suffix, suffix) if suffix in (*FORMATS, "htm") else "text"


class Progress:
    """A bar on a terminal; otherwise a plain line every few seconds. Always on stderr."""

    def __init__(self, stream: TextIO, enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and hasattr(stream, "isatty") and stream.isatty()
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, known: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if now - self._last < 0.1:
                return
            width = 30
            filled = int(width * done / known) if known else width
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{known} pages")
            self._drawn = True
        else:
            if now - self._last < 2.0:
                return
            self.stream.write(f"audit: {done} pages done, {known} known\n")
        self._last = now
        self.stream.flush()

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()


def _error(stderr: TextIO, message: str) -> None:
    stderr.write(f"error: {message}\n")


def run(
    args: argparse.Namespace,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    on_result: ResultHook | None = None,
) -> int:
    """Run one audit from parsed options and return the exit code.

    ``on_result(result, args)`` is called before the report is written; the Django command
    uses it as the place to store runs (--save, a later issue).
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    fmt = report_format(args)
    if args.output:
        parent = Path(args.output).resolve().parent
        if not parent.is_dir():
            _error(stderr, f"cannot write {args.output}: folder {parent} does not exist")
            return EXIT_USAGE
    try:
        config = config_from_args(args)
    except AuditError as exc:
        _error(stderr, str(exc))
        return EXIT_USAGE
    if config.browser and (problem := chromium_problem(config.chromium_path)):
        _error(stderr, problem)  # before the crawl, not after it
        return EXIT_USAGE

    cancelled = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.getsignal(signal.SIGINT)

        def interrupt(signum: int, frame: object) -> None:
            # The first Ctrl-C stops the crawl (requests in flight are cut short) and the
            # partial report is still written; a second one interrupts as usual.
            cancelled.set()
            signal.signal(signal.SIGINT, previous)

        signal.signal(signal.SIGINT, interrupt)
    progress = Progress(stderr, enabled=not args.quiet)
    try:
        result = audit_site(args.url, config, progress=progress, should_cancel=cancelled.is_set)
    except AuditError as exc:
        progress.close()
        _error(stderr, str(exc))
        return EXIT_USAGE
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    progress.close()

    if on_result is not None:
        on_result(result, args)
    text = render(result, fmt)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        counts = result.counts_by_severity()
        stderr.write(
            f"wrote {fmt} report to {args.output}: {len(result.pages)} pages, "
            + ", ".join(f"{n} {s}s" for s, n in counts.items())
            + "\n"
        )
    else:
        stdout.write(text)
        stdout.flush()

    if result.stop_reason is StopReason.CANCELLED:
        stderr.write("audit interrupted: the report is partial\n")
        return EXIT_INTERRUPTED
    if result.start_error:
        error = result.start_error
        if isinstance(error, str) and error.startswith(PARSE_FAILED):
            _error(
                stderr,
                f"the start page {result.start_url} answered but could not be parsed "
                f"({error}); the report lists it; check the page's HTML",
            )
            return EXIT_USAGE
        code = error_code(error)
        reason = code.message if code is not None else error
        target = result.start_redirect()
        if target and code in REDIRECT_REFUSALS:
            reason = f"{reason} (refused redirect to {target})"
        elif target:
            reason = f"{reason} (at {target}, where it redirects)"
        _error(
            stderr,
            f"could not fetch {result.start_url}: {reason}; check the URL and that the site is up",
        )
        return EXIT_USAGE
    if not result.complete:
        stderr.write(f"warning: {result.completeness()}\n")
    unfetched = result.crawl_completeness is Completeness.PAGES_NOT_FETCHED
    if args.fail_on_unfetched and unfetched:
        return EXIT_PAGES_NOT_FETCHED
    if args.fail_on != "never" and result.has_findings_at(args.fail_on):
        return EXIT_FINDINGS
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
