from interlock.audit.metrics_workers import merge, with_worker


def test_a_worker_label_goes_into_every_sample_form() -> None:
    assert with_worker('a_total{x="1 } 2"} 3', 0) == 'a_total{worker="0",x="1 } 2"} 3'
    assert with_worker("a_total 3", 1) == 'a_total{worker="1"} 3'
    assert with_worker("a_total{} 3", 2) == 'a_total{worker="2"} 3'


def test_families_are_written_once_with_every_workers_samples() -> None:
    one = b'# HELP a_total A\n# TYPE a_total counter\na_total{k="v"} 1\n# HELP h H\n# TYPE h gauge\nh 5\n'
    two = b'# HELP a_total A\n# TYPE a_total counter\na_total{k="v"} 2\n'
    assert merge([(0, one), (1, two)]).decode().splitlines() == [
        "# HELP a_total A",
        "# TYPE a_total counter",
        'a_total{worker="0",k="v"} 1',
        'a_total{worker="1",k="v"} 2',
        "# HELP h H",
        "# TYPE h gauge",
        'h{worker="0"} 5',
    ]
