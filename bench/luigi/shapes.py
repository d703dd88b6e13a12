"""The benchmark shapes of bench/shapes/, written for Luigi 3.8.1.

Usage: python shapes.py <A1|A2|A3|B|C1|C2|D|E> --size N [--workers W]

Prints one JSON line like the TypeScript shapes. Runs through luigi.build(local_scheduler=True,
no_lock=True, log_level="WARNING"), with a worker factory that times the scheduling phase
(Worker.add: completeness checks, graph building) and the run phase (Worker.run) apart.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time

import luigi
import luigi.interface
import luigi.mock
import luigi.worker
from luigi.execution_summary import _summary_dict

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(BENCH_DIR, ".work")

timings = {"decide": 0.0, "run": 0.0}


class TimedWorker(luigi.worker.Worker):
    def add(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return super().add(*args, **kwargs)
        finally:
            timings["decide"] += time.perf_counter() - started

    def run(self):
        started = time.perf_counter()
        try:
            return super().run()
        finally:
            timings["run"] += time.perf_counter() - started


class TimedFactory(luigi.interface._WorkerSchedulerFactory):
    def create_worker(self, scheduler, worker_processes, assistant=False):
        return TimedWorker(scheduler=scheduler, worker_processes=worker_processes, assistant=assistant)


def fresh_dir(name):
    path = os.path.join(WORK, "luigi-" + name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    os.sync()
    return path


def leaf_fixture(n):
    """The same kept folder of N empty files as bench/lib.mjs leafFixture()."""
    path = os.path.join(WORK, "leaves-%d" % n)
    if os.path.exists(os.path.join(path, ".complete")):
        return path
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for i in range(n):
        open(os.path.join(path, "leaf_%d.out" % i), "w").close()
    open(os.path.join(path, ".complete"), "w").close()
    os.sync()
    return path


def define(shape, n, workers):
    """Returns the root task for a shape (classes are defined per call: sizes differ)."""
    if shape in ("A1", "A2"):
        leaves = leaf_fixture(n)
        work = fresh_dir("a1-%d-%s" % (n, shape))

        class Leaf(luigi.Task):
            i = luigi.IntParameter()

            def output(self):
                return luigi.LocalTarget("%s/leaf_%d.out" % (leaves, self.i))

        class Fan(luigi.WrapperTask):
            n = luigi.IntParameter()

            def requires(self):
                return [Leaf(i=i) for i in range(self.n)]

        class FanRoot(luigi.Task):
            n = luigi.IntParameter()

            def requires(self):
                return [Leaf(i=i) for i in range(self.n)]

            def output(self):
                return luigi.LocalTarget("%s/root_%d.out" % (work, self.n))

            def run(self):
                open(self.output().path, "w").close()

        return Fan(n=n) if shape == "A1" else FanRoot(n=n)

    if shape == "A3":

        class MemLeaf(luigi.Task):
            i = luigi.IntParameter()

            def output(self):
                return luigi.mock.MockTarget("a3/%d" % self.i)

            def run(self):
                self.output().open("w").close()

        class Fan3(luigi.WrapperTask):
            n = luigi.IntParameter()

            def requires(self):
                return [MemLeaf(i=i) for i in range(self.n)]

        return Fan3(n=n)

    if shape == "B":

        class Chain(luigi.Task):
            i = luigi.IntParameter()

            def requires(self):
                return Chain(i=self.i - 1) if self.i > 0 else []

            def output(self):
                return luigi.mock.MockTarget("chain/%d" % self.i)

            def run(self):
                self.output().open("w").close()

        sys.setrecursionlimit(max(10000, 4 * n))
        return Chain(i=n - 1)

    if shape == "C1":

        class Grid(luigi.Task):
            r = luigi.IntParameter()
            c = luigi.IntParameter()

            def requires(self):
                deps = []
                if self.r > 0:
                    deps.append(Grid(r=self.r - 1, c=self.c))
                if self.c > 0:
                    deps.append(Grid(r=self.r, c=self.c - 1))
                return deps

            def output(self):
                return luigi.mock.MockTarget("grid/%d/%d" % (self.r, self.c))

            def run(self):
                self.output().open("w").close()

        return Grid(r=n - 1, c=n - 1)

    if shape == "C2":

        class Layer(luigi.Task):
            layer = luigi.IntParameter()
            k = luigi.IntParameter()
            width = luigi.IntParameter()

            def requires(self):
                if self.layer == 0:
                    return []
                return [Layer(layer=self.layer - 1, k=j, width=self.width) for j in range(self.width)]

            def output(self):
                return luigi.mock.MockTarget("layer/%d/%d/%d" % (self.width, self.layer, self.k))

            def run(self):
                self.output().open("w").close()

        class Top(luigi.WrapperTask):
            width = luigi.IntParameter()

            def requires(self):
                return [Layer(layer=self.width - 1, k=k, width=self.width) for k in range(self.width)]

        return Top(width=n)

    if shape == "D":
        work = fresh_dir("d-%d-%d" % (n, workers))
        # Made up front: with workers > 1, Luigi's forked tasks race to create it, and the
        # losers fail with FileExistsError (LocalTarget.open("w") -> os.makedirs).
        os.makedirs(work + "/w")
        payload = "x" * 100

        class Write(luigi.Task):
            i = luigi.IntParameter()

            def output(self):
                return luigi.LocalTarget("%s/w/%d.txt" % (work, self.i))

            def run(self):
                with self.output().open("w") as f:
                    f.write(payload)

        class Writes(luigi.WrapperTask):
            n = luigi.IntParameter()

            def requires(self):
                return [Write(i=i) for i in range(self.n)]

        return Writes(n=n)

    if shape == "E":
        work = fresh_dir("e-%d" % n)
        start = datetime.date(2015, 1, 1)

        def path_of(date):
            return date.strftime(work + "/daily/%Y/%m/%d/data.out")

        for i in range(n):
            if i % 10 == 0:
                continue
            path = path_of(start + datetime.timedelta(days=i))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w").close()

        class Daily(luigi.Task):
            date = luigi.DateParameter()

            def output(self):
                return luigi.LocalTarget(path_of(self.date))

        class Days(luigi.WrapperTask):
            start = luigi.DateParameter()
            days = luigi.IntParameter()

            def requires(self):
                return [Daily(date=self.start + datetime.timedelta(days=i)) for i in range(self.days)]

        return Days(start=start, days=n)

    raise SystemExit("unknown shape " + shape)


def decide_only(root):
    """E: only Worker.add, the scheduling phase (what dagwright's plan() does)."""
    scheduler = luigi.interface._WorkerSchedulerFactory().create_local_scheduler()
    with TimedWorker(scheduler=scheduler, worker_processes=1) as worker:
        worker.add(root)
    pending = [t for t in scheduler.task_list("PENDING", "")]
    return len(pending)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("shape")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    options = parser.parse_args()
    root = define(options.shape, options.size, options.workers)

    extra = {}
    if options.shape == "E":
        missing = decide_only(root)
        # The wrapper root is pending too.
        status = "success" if missing - 1 == (options.size + 9) // 10 else "failed"
        extra["missing"] = missing - 1
    else:
        result = luigi.build(
            [root],
            worker_scheduler_factory=TimedFactory(),
            local_scheduler=True,
            no_lock=True,
            log_level="WARNING",
            workers=options.workers,
            detailed_summary=True,
        )
        summary = _summary_dict(result.worker)
        ok = result.status in (luigi.LuigiStatusCode.SUCCESS, luigi.LuigiStatusCode.SUCCESS_WITH_RETRY)
        status = ("success" if summary["completed"] else "nothing_to_do") if ok else "failed:" + result.status.name

    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    decide = timings["decide"] * 1000
    run = timings["run"] * 1000
    tasks = {"C1": options.size**2, "C2": options.size**2}.get(options.shape, options.size)
    line = {
        "shape": options.shape,
        "size": options.size,
        "workers": options.workers,
        "decide_ms": round(decide, 1),
        "run_ms": round(run, 1),
        "total_ms": round(decide + run, 1),
        "peak_rss_mb": round(rss / 1024),
        "per_task_us": round((decide + run) * 1000 / tasks, 1),
        "status": status,
        "luigi": luigi.__version__,
        "python": platform.python_version(),
        **extra,
    }
    print(json.dumps(line))


if __name__ == "__main__":
    main()
