from tests.dashboard.conftest import make_app, serve

__all__ = ["make_app", "serve"]
