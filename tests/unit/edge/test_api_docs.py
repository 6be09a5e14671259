"""The docs router: every route it has answers GET and nothing else."""

from fastapi.routing import APIRoute

from services.edge.api_docs import create_docs_router

READ_ONLY_PATHS = ("/docs", "/asyncapi")


def test_every_route_of_the_docs_router_answers_get_alone() -> None:
    routes = create_docs_router().routes
    paths = set()
    for route in routes:
        assert isinstance(route, APIRoute), route
        assert route.path.startswith(READ_ONLY_PATHS), route.path
        assert route.methods == {"GET"}, (route.path, route.methods)
        paths.add(route.path)
    assert paths >= {"/docs", "/asyncapi.json", "/asyncapi.yaml"}
