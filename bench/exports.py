"""The full XLSX export of the issue list, measured against the product under gunicorn.

The bench's (national) observer asks for `/reports/issues.xlsx` over every filing date, so that
every ticket of the data is a row. Before it, each web worker's peak memory is reset (Linux's
`/proc/PID/clear_refs`, "5"); while the body streams in, the workers' memory is sampled; after
it, each worker's peak (VmHWM) is read: the export's own peak is the highest, the others having
done nothing meanwhile. The body is saved to the bench folder, its sheet's rows counted as it
is unzipped, then deleted.
"""

from __future__ import annotations

import threading
import time
import zipfile
from pathlib import Path
from urllib.request import Request, urlopen

PATH = "/reports/issues.xlsx?from=2000-01-01&to=2999-12-31"
MEMORY_TARGET_MB = 200
CHUNK = 1 << 20
TIMEOUT = 900  # seconds the harness waits for bytes; gunicorn's --timeout ends it sooner


def workers_of(master_pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def memory_mb(pid: int, field: str) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return None


def reset_peak(pid: int) -> bool:
    """Reset the process's peak resident size to its current one (Linux 4.0 and later)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def sheet_rows(path: Path) -> int:
    """The rows of the workbook's first sheet, counted while it is unzipped (not loaded)."""
    rows, tail = 0, b""
    with zipfile.ZipFile(path) as workbook, workbook.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(CHUNK):
            text = tail + chunk
            rows += text.count(b"<row ")
            tail = text[-5:] if not text.endswith(b"<row ") else b""
    return rows


def scenario(base: str, cookie: str, master_pid: int, folder: Path) -> dict:
    """Download the full export as the observer; its time, size, rows and the web worker's
    peak memory while it streamed."""
    workers = workers_of(master_pid)
    if not workers:
        return {"error": "no gunicorn worker found"}
    before = {pid: memory_mb(pid, "VmRSS") or 0.0 for pid in workers}
    reset = all(reset_peak(pid) for pid in workers)
    sampled = dict(before)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            for pid in workers:
                rss = memory_mb(pid, "VmRSS")
                if rss is not None and rss > sampled[pid]:
                    sampled[pid] = rss

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    target = folder / "issues-export.xlsx"
    size, first_byte = 0, None
    started = time.monotonic()
    try:
        # http://127.0.0.1 only: the base is the bench's own server
        request = Request(base + PATH, headers={"Cookie": cookie})  # noqa: S310
        with urlopen(request, timeout=TIMEOUT) as response, target.open("wb") as out:  # noqa: S310
            status = response.status
            disposition = response.headers.get("Content-Disposition", "")
            while chunk := response.read1(CHUNK):
                if first_byte is None:
                    first_byte = time.monotonic() - started
                size += len(chunk)
                out.write(chunk)
        seconds = time.monotonic() - started
    except OSError as error:
        return {"error": f"the export broke off after {size:,} bytes: {error}"[:500]}
    finally:
        done.set()
        sampler.join()
    try:
        rows = sheet_rows(target) - 1  # the header
    except (OSError, zipfile.BadZipFile) as error:
        return {"error": f"the export is no workbook ({size:,} bytes): {error}"[:500]}
    finally:
        target.unlink(missing_ok=True)
    peaks = {pid: memory_mb(pid, "VmHWM") for pid in workers} if reset else sampled
    serving = max(workers, key=lambda pid: (peaks.get(pid) or 0) - before[pid])
    return {
        "path": PATH,
        "status": status,
        "disposition": disposition,
        "bytes": size,
        "rows": rows,
        "seconds": seconds,
        "first_byte_seconds": first_byte,
        "peak_mb": max(peak or 0.0 for peak in peaks.values()),
        "before_mb": before[serving],
        "sampled_mb": sampled[serving],
        "peak_reset": reset,
    }


# ---------------------------------------------------------------- in RESULTS.md


def targets(results: dict) -> list[tuple[str, str, tuple[str, str, str]]]:
    """The export's target: the web worker that streams it stays under MEMORY_TARGET_MB."""
    found = results.get("export") or {}
    label = f"Full XLSX export of the issue list: web worker < {MEMORY_TARGET_MB} MB"
    if "peak_mb" not in found:
        return [("export", label, ("missing", found.get("error", "-")[:120], ""))]
    peak, rows = found["peak_mb"], found["rows"]
    figure = f"{peak:.0f} MB peak, {rows:,} rows in {found['seconds']:.1f} s"
    if rows < results["tickets"]:
        return [("export", label, ("missed", figure, f"{rows:,} of {results['tickets']:,} rows"))]
    if peak <= MEMORY_TARGET_MB:
        spare = f"{(1 - peak / MEMORY_TARGET_MB) * 100:.0f} % to spare"
        return [("export", label, ("met", figure, spare))]
    over = f"{(peak / MEMORY_TARGET_MB - 1) * 100:+.0f} % over"
    return [("export", label, ("missed", figure, over))]


def section(found: dict, tickets: int) -> list[str]:
    lines = ["", "## Issue list export", ""]
    if "peak_mb" not in found:
        return lines + [f"Not measured: {found.get('error', 'no result')}"]
    how = (
        "each worker's peak reset through `/proc/PID/clear_refs` before it, VmHWM read after"
        if found["peak_reset"]
        else "the peak could not be reset: the workers' resident size sampled every 50 ms"
    )
    rate = found["rows"] / max(found["seconds"], 0.001)
    return lines + [
        f"`GET {found['path']}` as the national observer, through gunicorn: HTTP "
        f"{found['status']}, {found['rows']:,} rows (of {tickets:,} tickets), "
        f"{found['bytes'] / 1e6:.1f} MB in {found['seconds']:.1f} s (first byte after "
        f"{found['first_byte_seconds'] or 0:.2f} s, {rate:,.0f} rows/s). "
        f"The worker that streamed it: {found['before_mb']:.0f} MB before, "
        f"{found['peak_mb']:.0f} MB at its peak ({how}; highest sample "
        f"{found['sampled_mb']:.0f} MB).",
    ]
