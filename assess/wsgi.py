"""The WSGI entry point for a production server: ``gunicorn 'assess.wsgi:app'``."""

from assess import create_app

app = create_app()
