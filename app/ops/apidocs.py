"""/docs (Swagger UI) and /redoc, with every asset served by Pantau itself: the pages work on an
intranet without internet, and no third party learns who reads them.

The JavaScript and CSS come from the `fastapi-offline` package (MIT), which ships the released
Swagger UI and ReDoc bundles and is re-released as they are; the pages load no inline script,
so a Content-Security-Policy of `script-src 'self'` keeps them working.
"""

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs/assets"
router = APIRouter(include_in_schema=False)

SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pantau API</title>
<link rel="stylesheet" href="{root}{assets}/swagger-ui.css">
<link rel="icon" href="{root}{assets}/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi="{root}{openapi}"></div>
<script src="{root}{assets}/swagger-ui-bundle.js"></script>
<script src="{root}/docs/swagger-init.js"></script>
</body>
</html>
"""

SWAGGER_INIT = """const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.openapi,
  dom_id: "#swagger-ui",
  deepLinking: true,
  displayOperationId: true,  // the names a generated client uses
  validatorUrl: null,  // no badge from the Swagger validator's site
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
"""

REDOC_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pantau API</title>
<link rel="icon" href="{root}{assets}/favicon.png">
</head>
<body>
<redoc spec-url="{root}{openapi}"></redoc>
<script src="{root}{assets}/redoc.standalone.js"></script>
</body>
</html>
"""


# ReDoc's sidebar shows its maker's logo from the maker's CDN: the browser is told to load
# images and make requests only here, so the page reveals its readers to no one else; like
# every page of ours it is framed by no one.
HERE_ONLY = {
    "Content-Security-Policy": (
        "script-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    )
}


def _page(request: Request, template: str) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    openapi = request.app.openapi_url
    page = template.format(root=root, assets=ASSETS_URL, openapi=openapi)
    return HTMLResponse(page, headers=HERE_ONLY)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    return _page(request, SWAGGER_PAGE)


@router.get("/docs/swagger-init.js")
async def swagger_init() -> Response:
    return Response(SWAGGER_INIT, media_type="text/javascript")


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    return _page(request, REDOC_PAGE)


def install(app: FastAPI) -> None:
    """Serve the two pages and their assets; the app is made with docs_url=redoc_url=None."""
    app.include_router(router)
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
