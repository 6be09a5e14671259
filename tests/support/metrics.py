"""Reading a process's Prometheus metrics."""

from prometheus_client.parser import text_string_to_metric_families

from tests.support.http import http_client

# Prometheus samples by name and labels.
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(url: str) -> Samples:
    """Every sample at ``url`` by name and labels."""
    async with http_client() as http:
        response = await http.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when it does not exist yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)
