"""The web app: FastAPI routes, Jinja2 templates, vendored static files."""
