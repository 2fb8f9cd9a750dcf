"""Profile the answer loop in-process: time and SQL statements per endpoint, pyinstrument.

Code questions' pages and answers are tallied apart (" (code)"): their runs make them cost more.
Times are CPU of the whole process, so a sandbox run's clean-up in the background thread is
counted in whichever request it overlaps.

    .venv/bin/python -m benchmarks.loadkit.profile --db sqlite --answers 60 [--pyinstrument]
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import re
import statistics
import time

from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from benchmarks.loadkit.client import CONTINUE
from benchmarks.loadkit.client import CSRF
from benchmarks.loadkit.client import answer_fields
from benchmarks.loadkit.database import fresh_database
from benchmarks.loadkit.database import prepare


def endpoint_of(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--answers", type=int, default=60)
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--sql", action="store_true", help="print the statements of one loop")
    parser.add_argument("--sql-width", type=int, default=300,
                        help="characters of each statement --sql prints")
    parser.add_argument("--cprofile", default="",
                        help="endpoints to cProfile: prefixes ('GET /quiz') or exact ('...$'), "
                             "separated by commas")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--dump", default="", help="write the cProfile stats to this file")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args()
    with fresh_database(args.db, "profile") as url:
        prepare(url)
        from quizapp import create_app
        from quizapp.extensions import db

        app = create_app({"ENV_NAME": "production", "SECRET_KEY": "x", "REQUEST_LOG": "off",
                          "SQLALCHEMY_DATABASE_URI": url, "SESSION_COOKIE_SECURE": False})
        web = app.test_client()
        with app.app_context():  # as gunicorn's master does before forking
            from quizapp.services.warmup import compile_templates
            from quizapp.services.warmup import warm_render_cache

            warm_render_cache()
            compile_templates(app)
        statements: list[str] = []
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute",
                         lambda *a: statements.append(a[2]))
        token = CSRF.search(web.get("/auth/register").get_data(as_text=True)).group(1)
        web.post("/auth/register", data={"csrf_token": token, "email": "p@example.com",
                                         "display_name": "P", "password": "pw-long-enough-42",
                                         "confirm": "pw-long-enough-42"})
        token = CSRF.search(web.get("/auth/login").get_data(as_text=True)).group(1)
        web.post("/auth/login", data={"csrf_token": token, "email": "p@example.com",
                                      "password": "pw-long-enough-42"})
        times: dict[str, list[float]] = collections.defaultdict(list)
        counts: dict[str, list[int]] = collections.defaultdict(list)

        def call(method: str, path: str, tag: str = "", **kw):
            key = f"{method} {endpoint_of(path)}{tag}"
            # prefixes, or exact endpoints where one ends with $, separated by commas
            profiling = any(key == wanted[:-1] if wanted.endswith("$") else key.startswith(wanted)
                            for wanted in args.cprofile.split(",") if wanted)
            if profiling:
                cprof.enable()
            before, t0 = len(statements), time.process_time()
            response = web.open(path, method=method, **kw)
            if profiling:
                cprof.disable()
            times[key].append(time.process_time() - t0)
            counts[key].append(len(statements) - before)
            return response

        def start() -> str:
            token = CSRF.search(call("GET", "/").get_data(as_text=True)).group(1)
            return call("POST", "/quiz/start", data={"csrf_token": token, "extra": "y"}
                        ).headers["Location"]

        profiler = None
        cprof = cProfile.Profile(time.process_time)  # CPU, not time spent waiting on the database
        if args.pyinstrument:
            from pyinstrument import Profiler
            profiler = Profiler(interval=0.0005)
        path, done = start(), 0
        while done < args.answers:
            if done == 5 and profiler:
                profiler.start()
            if done == 5 and args.sql:
                mark = len(statements)
            if not path.startswith("/quiz/"):  # nothing left to practise: the home page
                print(f"the learner has nothing left to practise after {done} answers")
                break
            page = call("GET", path)
            if page.status_code != 200:
                path = start()
                continue
            text = page.get_data(as_text=True)
            tag = " (code)" if "data-code-editor" in text else ""
            if tag:  # a code question's page: tallied apart too
                key = f"GET {endpoint_of(path)}"
                times[key + tag].append(times[key].pop())
                counts[key + tag].append(counts[key].pop())
            action, fields = answer_fields(text)
            reply = call("POST", action, tag, data=MultiDict(fields))
            feedback = call("GET", reply.headers["Location"], tag)
            done += 1
            if done == 6 and args.sql:
                print("\n".join(s.replace("\n", " ")[:args.sql_width] for s in statements[mark:]))
            link = CONTINUE.search(feedback.get_data(as_text=True))
            path = link.group(1) if link else start()
            if "/summary" in path:
                path = start()
        if args.cprofile and args.dump:
            cprof.dump_stats(args.dump)
        if args.cprofile:
            pstats.Stats(cprof).sort_stats(args.sort).print_stats(args.top)
        if profiler:
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False, show_all=False))
        for key in sorted(times):
            print(f"{key:<40} n={len(times[key]):>4} median "
                  f"{statistics.median(times[key]) * 1000:7.2f} ms CPU (fastest "
                  f"{min(times[key]) * 1000:5.2f})  statements "
                  f"{statistics.median(counts[key]):.0f}  mean "
                  f"{statistics.mean(times[key]) * 1000:.2f} ms")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
