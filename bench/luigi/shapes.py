"""The benchmark shapes of bench/shapes/, written for Luigi 3.8.1.

Usage: python shapes.py <A1|A2|A3|B|C1|C2|D|E|E-range|H-range|F-s3|F-hdfs> --size N [--workers W]
       [--direct 1] [--stock-fs 1]

Prints one JSON line like the TypeScript shapes. Runs through luigi.build(local_scheduler=True,
no_lock=True, log_level="WARNING"), with a worker factory that times the scheduling phase
(Worker.add: completeness checks, graph building) and the run phase (Worker.run) apart.
"""

import argparse
import datetime
import glob
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import warnings

import luigi
import luigi.interface
import luigi.local_target
import luigi.mock
import luigi.tools.range
import luigi.worker
from luigi.execution_summary import _summary_dict

# RangeBase's param_name defaults to None, which its own string check warns about.
warnings.filterwarnings("ignore", message='Parameter "param_name"')

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(BENCH_DIR, ".work")

timings = {"decide": 0.0, "run": 0.0}
counting = {}


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


def partition_fixture(kind, n):
    """The same kept folder of time partitions as bench/lib.mjs partitionFixture(): from
    2015-01-01, partition i missing when i % 10 == 0; `daily/%Y/%m/%d/data.out` (N days) or
    `hourly/%Y/%m/%d/%H.out` (N hours)."""
    path = os.path.join(WORK, "range-%s-%d" % (kind, n))
    if os.path.exists(os.path.join(path, ".complete")):
        return path
    shutil.rmtree(path, ignore_errors=True)
    start = datetime.datetime(2015, 1, 1)
    step = datetime.timedelta(days=1) if kind == "daily" else datetime.timedelta(hours=1)
    layout = path + ("/daily/%Y/%m/%d/data.out" if kind == "daily" else "/hourly/%Y/%m/%d/%H.out")
    folder = None
    for i in range(n):
        if i % 10 == 0:
            continue
        file = (start + i * step).strftime(layout)
        if os.path.dirname(file) != folder:
            folder = os.path.dirname(file)
            os.makedirs(folder, exist_ok=True)
        open(file, "w").close()
    open(os.path.join(path, ".complete"), "w").close()
    os.sync()
    return path


class GlobLocalFileSystem(luigi.local_target.LocalFileSystem):
    """E-range, H-range: Luigi's LocalFileSystem, with exists() and listdir() expanding a glob
    the way HDFS's `ls` does. infer_bulk_complete_from_fs (RangeDaily / RangeHourly) passes
    globs like `daily/201[5-9]/[0-9][0-9]/[0-9][0-9]` to both; the stock os.path.exists() and
    os.walk() take them literally, find nothing, and every partition is reported missing."""

    def exists(self, path):
        return os.path.exists(path) or any(True for _ in glob.iglob(path))

    def listdir(self, path):
        for folder in sorted(glob.glob(path)):
            yield from super().listdir(folder)


class GlobLocalTarget(luigi.LocalTarget):
    fs = GlobLocalFileSystem()


def ranged(kind, n, stock_fs):
    """E-range, H-range: RangeDaily / RangeHourly over N partitions of the kept fixture."""
    work = partition_fixture(kind, n)
    Target = luigi.LocalTarget if stock_fs else GlobLocalTarget
    if kind == "daily":

        class Daily(luigi.Task):
            date = luigi.DateParameter()

            def output(self):
                return Target(self.date.strftime(work + "/daily/%Y/%m/%d/data.out"))

        start = datetime.date(2015, 1, 1)
        stop = start + datetime.timedelta(days=n)
        return luigi.tools.range.RangeDaily(of=Daily, start=start, stop=stop, days_back=100000, days_forward=0, task_limit=100000)

    class Hourly(luigi.Task):
        hour = luigi.DateHourParameter()

        def output(self):
            return Target(self.hour.strftime(work + "/hourly/%Y/%m/%d/%H.out"))

    start = datetime.datetime(2015, 1, 1)
    stop = start + datetime.timedelta(hours=n)
    return luigi.tools.range.RangeHourly(of=Hourly, start=start, stop=stop, hours_back=10**7, task_limit=10**6)


def node():
    return os.environ.get("BENCH_NODE") or shutil.which("node") or "node"


def storage(kind, n):
    """F: the settings of the kept fixture on S3 or HDFS, made by bench/storage.mjs if missing."""
    output = subprocess.run(
        [node(), os.path.join(BENCH_DIR, "storage.mjs"), "prepare", kind, str(n)], check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    return json.loads(output.strip().split("\n")[-1])


class CountingProxy:
    """F: bench/count-proxy.mjs in front of the server, which counts our requests the same way.
    `direct`: no proxy, requests go straight to the server, uncounted."""

    def __init__(self, upstream, direct):
        self.process = None
        if direct:
            self.url = upstream
            return
        self.process = subprocess.Popen(
            [node(), os.path.join(BENCH_DIR, "count-proxy.mjs"), upstream],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.url = self.process.stdout.readline().strip()

    def count(self):
        if self.process is None:
            return None
        with urllib.request.urlopen(self.url + "/_count-proxy") as response:
            return json.load(response)

    def stop(self):
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait()


def dailies(start, n, target):
    """E, F: a WrapperTask over n Daily tasks from `start`, each with the output `target(date)`."""

    class Daily(luigi.Task):
        date = luigi.DateParameter()

        def output(self):
            return target(self.date)

    class Days(luigi.WrapperTask):
        start = luigi.DateParameter()
        days = luigi.IntParameter()

        def requires(self):
            return [Daily(date=self.start + datetime.timedelta(days=i)) for i in range(self.days)]

    return Days(start=start, days=n)


def define(shape, n, workers, direct=False, stock_fs=False):
    """Returns the root task for a shape (classes are defined per call: sizes differ)."""
    if shape in ("E-range", "H-range"):
        return ranged("daily" if shape == "E-range" else "hourly", n, stock_fs)

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

        return dailies(start, n, lambda date: luigi.LocalTarget(path_of(date)))

    if shape in ("F-s3", "F-hdfs"):
        settings = storage(shape[2:], n)
        proxy = counting["proxy"] = CountingProxy(settings["endpoint"], direct)
        start = datetime.date(2015, 1, 1)
        counting["start"] = start
        if shape == "F-s3":
            # Imported here, untimed, like our side's modules; the client is made on first use.
            import boto3  # noqa: F401
            import botocore.config
            from luigi.contrib import s3 as luigi_s3

            # One client for all targets, as a user would pass it (an S3Target made without one
            # makes its own S3Client, and so its own boto3 resource).
            client = luigi_s3.S3Client(
                aws_access_key_id=settings["accessKeyId"],
                aws_secret_access_key=settings["secretAccessKey"],
                endpoint_url=proxy.url,
                region_name=settings["region"],
                config=botocore.config.Config(s3={"addressing_style": "path"}),
            )

            def target(date):
                uri = "s3://%s/%sdate=%s.json" % (settings["bucket"], settings["prefix"], date.isoformat())
                return luigi_s3.S3Target(uri, client=client)

        else:
            import hdfs  # noqa: F401
            from luigi.contrib import hdfs as luigi_hdfs
            from luigi.contrib.hdfs.webhdfs_client import WebHdfsClient

            address = urllib.parse.urlsplit(proxy.url)
            client = WebHdfsClient(host=address.hostname, port=address.port, user=settings["user"])

            def target(date):
                return luigi_hdfs.HdfsTarget("%sdate=%s.json" % (settings["prefix"], date.isoformat()), fs=client)

        return dailies(start, n, target)

    raise SystemExit("unknown shape " + shape)


def decide_only(root):
    """E, F: only Worker.add, the scheduling phase (what dagwright's plan() does). Returns the
    pending tasks (the wrapper root among them). A Range root decides which partitions are
    missing in its requires() (cached on the instance); it is called, timed, before the add."""
    scheduler = luigi.interface._WorkerSchedulerFactory().create_local_scheduler()
    with TimedWorker(scheduler=scheduler, worker_processes=1) as worker:
        if isinstance(root, luigi.tools.range.RangeBase):
            started = time.perf_counter()
            root.requires()
            timings["requires"] = time.perf_counter() - started
            timings["decide"] += timings["requires"]
        worker.add(root)
    return list(scheduler.task_list("PENDING", "").values())


def count_since(before, after):
    if before is None or after is None:
        return None, None
    kinds = {kind: count - before["kinds"].get(kind, 0) for kind, count in after["kinds"].items()}
    return after["requests"] - before["requests"], {kind: count for kind, count in kinds.items() if count > 0}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("shape")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--direct", type=int, default=0, help="F: straight to the server, requests not counted")
    parser.add_argument("--stock-fs", type=int, default=0, help="E-range, H-range: Luigi's LocalTarget as shipped")
    options = parser.parse_args()
    root = define(options.shape, options.size, options.workers, bool(options.direct), bool(options.stock_fs))

    extra = {}
    if options.shape == "E":
        missing = len(decide_only(root))
        # The wrapper root is pending too.
        status = "success" if missing - 1 == (options.size + 9) // 10 else "failed"
        extra["missing"] = missing - 1
    elif options.shape in ("E-range", "H-range"):
        pending = decide_only(root)
        start = datetime.datetime(2015, 1, 1)
        unit = datetime.timedelta(days=1) if options.shape == "E-range" else datetime.timedelta(hours=1)
        name, param = ("Daily", "date") if options.shape == "E-range" else ("Hourly", "hour")
        layout = "%Y-%m-%d" if name == "Daily" else "%Y-%m-%dT%H"
        steps = [(datetime.datetime.strptime(t["params"][param], layout) - start) // unit for t in pending if t["name"] == name]
        # Exactly every tenth partition is missing.
        ok = len(steps) == (options.size + 9) // 10 and all(step % 10 == 0 for step in steps)
        status = "success" if ok else "failed"
        extra["missing"] = len(steps)
        extra["requires_ms"] = round(timings["requires"] * 1000, 1)
    elif options.shape in ("F-s3", "F-hdfs"):
        proxy = counting["proxy"]
        before = proxy.count()
        pending = decide_only(root)
        requests, kinds = count_since(before, proxy.count())
        if requests is not None:
            extra["requests"], extra["request_kinds"] = requests, kinds
        proxy.stop()
        days = [
            (datetime.date.fromisoformat(t["params"]["date"]) - counting["start"]).days for t in pending if t["name"] == "Daily"
        ]
        # Exactly every tenth partition is missing.
        ok = len(days) == (options.size + 9) // 10 and all(day % 10 == 0 for day in days)
        status = "success" if ok else "failed"
        extra["missing"] = len(days)
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
