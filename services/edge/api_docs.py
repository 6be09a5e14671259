"""The API's own documentation, served by the edge with no internet needed.

``/asyncapi.json`` and ``/asyncapi.yaml`` are the committed files in ``asyncapi/``
(``chatbus docs`` writes them and a test fails when they are stale), so the document
people read is byte for byte the one the official parser validates. Generating it
here instead would make the edge import the handler services, which it never does.

``/docs`` renders the JSON with ``@asyncapi/react-component``'s standalone bundle,
installed from npm and copied into ``web/dist/docs/`` by ``npm run build``; every
asset comes from this origin and the page's Content-Security-Policy forbids any
other, so nothing is fetched from a CDN. The viewer only displays: there is no
try-it or publish route, and every route here answers GET alone.
"""

import base64
import hashlib
import html
import json
import logging
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response

__all__ = ["ASYNCAPI_DIR", "VIEWER_DIR", "create_docs_router"]

log = logging.getLogger("chatbus.edge")

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_DIR = ROOT / "asyncapi"
VIEWER_DIR = ROOT / "web" / "dist" / "docs"

DOCUMENTS = {"asyncapi.json": "application/json", "asyncapi.yaml": "application/yaml"}
# Written by web/scripts/copy-docs-assets.mjs.
VIEWER_ASSETS = {
    "asyncapi-viewer.js": "text/javascript",
    "asyncapi-viewer.css": "text/css",
}

# Renders the served document; on failure the page says why instead of staying blank.
BOOT_SCRIPT = """
const target = document.getElementById("asyncapi");
fetch("/asyncapi.json")
  .then((response) => {
    if (!response.ok) throw new Error(`/asyncapi.json answered ${response.status}`);
    return response.text();
  })
  .then((schema) => {
    AsyncApiStandalone.render(
      {
        schema,
        config: {
          show: { sidebar: true, errors: true },
          sidebar: { showOperations: "byDefault", useChannelAddressAsIdentifier: true },
        },
      },
      target,
    );
  })
  .catch((error) => {
    target.textContent = `The API document could not be shown: ${error.message}`;
  });
"""


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


# Only this origin, and only the boot script inline. The bundled parser compiles JSON
# Schemas into functions (ajv), hence 'unsafe-eval'; React sets inline styles.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        f"script-src 'self' 'unsafe-eval' {_csp_hash(BOOT_SCRIPT)}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="/favicon.svg">
<link rel="stylesheet" href="/docs/asyncapi-viewer.css">
<style>body {{ margin: 0; font-family: system-ui, sans-serif; }}</style>
</head>
<body>
<nav data-testid="docs-nav" style="padding: 0.5rem 1rem">
<a href="/">&larr; Back to the chat</a> &middot;
<a href="/asyncapi.json">asyncapi.json</a> &middot;
<a href="/asyncapi.yaml">asyncapi.yaml</a>
</nav>
<main id="asyncapi">Loading the API document&hellip;</main>
<script src="/docs/asyncapi-viewer.js"></script>
<script>{boot}</script>
</body>
</html>
"""

NOT_BUILT = (
    "The API document viewer is not built: run `npm run build --prefix web` "
    "(`make run` does it). The document itself is at /asyncapi.json."
)


def create_docs_router(documents: Path = ASYNCAPI_DIR, viewer: Path = VIEWER_DIR) -> APIRouter:
    """``/asyncapi.json``, ``/asyncapi.yaml``, ``/docs`` and the viewer's two assets."""
    router = APIRouter(include_in_schema=False)
    if not (viewer / "asyncapi-viewer.js").exists():
        log.warning("%s", NOT_BUILT)

    def document(name: str, media_type: str) -> None:
        async def serve() -> Response:
            path = documents / name
            if not path.is_file():
                raise HTTPException(404, f"{name} is missing: run `chatbus docs`")
            return Response(path.read_bytes(), media_type=media_type)

        router.add_api_route(f"/{name}", serve, methods=["GET"], name=name)

    def asset(name: str, media_type: str) -> None:
        async def serve() -> FileResponse:
            path = viewer / name
            if not path.is_file():
                raise HTTPException(404, NOT_BUILT)
            return FileResponse(path, media_type=media_type)

        router.add_api_route(f"/docs/{name}", serve, methods=["GET"], name=name)

    for name, media_type in DOCUMENTS.items():
        document(name, media_type)
    for name, media_type in VIEWER_ASSETS.items():
        asset(name, media_type)

    @router.get("/docs", response_class=HTMLResponse)
    @router.get("/docs/", response_class=HTMLResponse)
    async def docs_page() -> HTMLResponse:
        """The document, rendered by the AsyncAPI viewer."""
        if not (viewer / "asyncapi-viewer.js").is_file():
            return HTMLResponse(f"<!doctype html><title>chatbus API</title><p>{NOT_BUILT}")
        page = PAGE.format(title=_title(documents / "asyncapi.json"), boot=BOOT_SCRIPT)
        return HTMLResponse(page, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})

    return router


def _title(path: Path) -> str:
    """``chatbus 0.1.0 API (AsyncAPI)``, from the document's own info."""
    try:
        info = json.loads(path.read_text())["info"]
        name = f"{info['title']} {info['version']}"
    except (OSError, ValueError, KeyError):
        name = "chatbus"
    return html.escape(f"{name} API (AsyncAPI)")
