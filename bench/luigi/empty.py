"""G: the smallest Luigi pipeline, one task with nothing to do."""
import luigi


class Empty(luigi.WrapperTask):
    pass
