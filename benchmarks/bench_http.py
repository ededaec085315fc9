"""HTTP throughput of the main pages beside an empty Django view on the same server (issue 6:
at least a tenth of the empty view's).

    DJANGO_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/homeward_bench_http \\
        .venv/bin/python benchmarks/bench_http.py --seed-demo

gunicorn serves `benchmarks.http_app` (the product, with `/bench/empty/` added behind the same
middleware) with `--workers` sync workers. Client processes, one per connection, each signed in
with a session of their own, request one address as fast as it answers for `--seconds`; every
answer must be 200. Then the next address. The client shares the machine with the server, as
a load balancer's health checks would not, so the ratio is the number to read.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL = 0.1


def _load(port: int, address: str, cookie: str, seconds: float, queue) -> None:
    """One connection's worth of load: requests until the time is up; puts (answers, latencies,
    statuses other than 200)."""
    latencies, bad = [], []
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", address, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        connection.close()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            bad.append(response.status)
    queue.put((latencies, bad))


def measure(port: int, address: str, cookies: list[str], seconds: float) -> dict:
    queue = multiprocessing.Queue()
    clients = [multiprocessing.Process(target=_load, args=(port, address, c, seconds, queue)) for c in cookies]
    started = time.perf_counter()
    for client in clients:
        client.start()
    results = [queue.get() for _ in clients]
    for client in clients:
        client.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for found, _ in results for x in found)
    bad = [status for _, found in results for status in found]
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "not_200": len(bad),
        "statuses": sorted(set(bad)),
    }


def _wait_for(port: int, process) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped before answering")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed-demo", action="store_true", help="re-create the database and load the demo data")
    parser.add_argument("--user", default="coordinator@demo.homeward.invalid", help="who is signed in")
    parser.add_argument("--seconds", type=float, default=10.0, help="load on each address (default 10)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", type=pathlib.Path, help="write the results here as JSON")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "missing.settings")
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from benchmarks.bench_police_feed import migrate_afresh
    from children.models import Child
    from episodes.models import Episode
    from organisations.models import User

    if args.seed_demo:
        migrate_afresh("loading the demo data")
        call_command("seed_demo", verbosity=0)

    user = User.objects.get(email=args.user)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    episode = Episode.objects.visible_to(user).order_by("-last_seen_at").first()
    child = Child.objects.visible_to(user).order_by("pk").first()
    addresses = {
        "empty Django view": "/bench/empty/",
        "daily tasking (home)": reverse("home"),
        "episode list": reverse("episodes:list"),
        "episode page": episode.get_absolute_url(),
        "child page": child.get_absolute_url(),
        "manager dashboard": reverse("reporting:dashboard"),
    }
    cookies = []
    for _ in range(args.connections):
        client = Client()
        client.force_login(user)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    connection.close()

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "benchmarks.http_app:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    results = {
        "cpus": os.cpu_count(),
        "workers": args.workers,
        "connections": args.connections,
        "seconds": args.seconds,
        "load_average_before": os.getloadavg(),
        "pages": {},
    }
    try:
        _wait_for(args.port, server)
        for label, address in addresses.items():
            measure(args.port, address, cookies[:1], 1.0)  # warm up: the first requests load templates
            results["pages"][label] = {"address": address, **measure(args.port, address, cookies, args.seconds)}
    finally:
        server.terminate()
        server.wait(timeout=30)
    results["load_average_after"] = os.getloadavg()

    empty = results["pages"]["empty Django view"]["per_second"]
    failed = False
    print(f"\n{'page':<24} {'requests/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6}  not 200")
    for label, page in results["pages"].items():
        page["ratio"] = page["per_second"] / empty
        failed |= bool(page["not_200"]) or page["ratio"] < GOAL
        print(
            f"{label:<24} {page['per_second']:>10,.0f} {page['p50_ms']:>8.1f} {page['p95_ms']:>8.1f} "
            f"{page['ratio']:>6.2f}  {page['not_200']} {page['statuses'] or ''}"
        )
    print(f"goal: every page at least {GOAL} of the empty view, every answer 200: {'NOT met' if failed else 'met'}")
    print(f"load average before / after: {results['load_average_before'][0]:.1f} / {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
