"""K-backfill: Daily(date) writes a few bytes to `<BACKFILL_DIR>/daily/date=YYYY-MM-DD.txt`.

Run by bench/shapes/k-backfill.mjs as `luigi --module daily RangeDaily --of Daily ...`; the folder
comes from the environment.
"""
import os

import luigi

DIR = os.environ.get("BACKFILL_DIR", ".")


class Daily(luigi.Task):
    date = luigi.DateParameter()

    def output(self):
        return luigi.LocalTarget("%s/daily/date=%s.txt" % (DIR, self.date.isoformat()))

    def run(self):
        with self.output().open("w") as f:
            f.write("%s\n" % self.date.isoformat())
