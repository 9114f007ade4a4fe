"""The harness's own browser: log in through the real pages, read CSRF tokens; and wrk."""

from __future__ import annotations

import json
import math
import re
import subprocess
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

LUA = Path(__file__).resolve().parent / "lua"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0913
        return None


@dataclass
class Answer:
    status: int
    body: bytes
    location: str = ""


class Browser:
    """A cookie jar and an opener that does not follow redirects (wrk does not either)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar), NoRedirect)

    def fetch(
        self,
        path: str,
        *,
        data: bytes | None = None,
        headers: dict | None = None,
        method: str | None = None,
    ) -> Answer:
        # http://127.0.0.1 only: the base is the bench's own server
        request = Request(self.base + path, data=data, headers=headers or {}, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(
                    response.status, response.read(), response.headers.get("Location", "")
                )
        except HTTPError as error:
            return Answer(error.code, error.read(), error.headers.get("Location", ""))

    def csrf_token(self, path: str) -> str:
        answer = self.fetch(path)
        match = CSRF.search(answer.body.decode("utf-8", "replace"))
        if not match:
            raise RuntimeError(f"no csrf_token on {path} (HTTP {answer.status})")
        return match.group(1) or match.group(2)

    def login(self, username: str, password: str) -> None:
        token = self.csrf_token("/auth/login")
        form = urlencode({"username": username, "password": password, "csrf_token": token})
        answer = self.fetch(
            "/auth/login",
            data=form.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if answer.status != 302:
            raise RuntimeError(f"login of {username} answered HTTP {answer.status}, not 302")

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def lua_string(value: str) -> str:
    """A Lua long-bracket string literal holding `value` verbatim."""
    level = 1
    while f"]{'=' * level}]" in value:
        level += 1
    return f"[{'=' * level}[{value}]{'=' * level}]"


def write_script(
    folder: Path,
    name: str,
    *,
    body: tuple[str, str] | None = None,
    content_type: str = "",
    run_tag: str = "",
    tokens: list[str] = (),
    paths: tuple[str, ...] = (),
) -> Path:
    """The wrk script of one scenario: a GET (of each of `paths` in turn, when given), or a
    POST with a fresh key per request."""
    report = (LUA / "report.lua").read_text()
    if body is None and paths:
        listed = "{" + ", ".join(lua_string(path) for path in paths) + "}"
        keys = "{" + ", ".join(lua_string(t) for t in tokens) + "}"
        script = (LUA / "paths.lua").read_text()
        script = script.replace(" = PATHS\n", f" = {listed}\n")
        script = script.replace(" = TOKENS\n", f" = {keys}\n")
        script += report
    elif body is None:
        script = (LUA / "get.lua").read_text() + report
    else:
        script = (LUA / "post.lua").read_text()
        replacements = {
            "BODY_PREFIX": lua_string(body[0]),
            "BODY_SUFFIX": lua_string(body[1]),
            "CONTENT_TYPE": lua_string(content_type),
            "RUN_TAG": lua_string(run_tag),
            "TOKENS": "{" + ", ".join(lua_string(t) for t in tokens) + "}",
        }
        for placeholder, value in replacements.items():
            script = script.replace(f" = {placeholder}\n", f" = {value}\n")
        script += report
    path = folder / f"{name}.lua"
    path.write_text(script)
    return path


def wrk(
    url: str,
    script: Path,
    *,
    duration: float,
    threads: int,
    connections: int,
    headers: dict[str, str] | None = None,
) -> dict:
    """Run wrk; its figures as the report script prints them."""
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{max(1, math.ceil(duration))}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    done = subprocess.run(  # noqa: S603 - wrk with our own arguments
        command, capture_output=True, text=True, timeout=duration + 120, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON ") :])
    raise RuntimeError(f"wrk printed no figures: {done.stdout[-500:]} {done.stderr[-500:]}")
