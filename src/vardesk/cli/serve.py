"""Running the HTTP server."""

from __future__ import annotations

import uvicorn

from vardesk.logs import configure_logging
from vardesk.services.container import Services


def serve(services: Services, host: str | None = None, port: int | None = None) -> int:
    from vardesk.api.app import create_app

    settings = services.settings
    configure_logging(settings.log_level, settings.log_format)
    host = host or settings.host
    port = port or settings.port
    app = create_app(services)
    base = f"http://{host}:{port}"
    print(
        f"Vardesk serving on {base}/ (native API {base}/api/v2, API documentation {base}/docs; "
        f"data in {settings.data_dir})",
        flush=True,
    )
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
    return 0
