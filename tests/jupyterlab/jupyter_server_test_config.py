"""Jupyter server configuration of the JupyterLab e2e suite (never use in production: no auth)."""
import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821
c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.port = int(os.environ["JLAB_PORT"])  # noqa: F821
c.ServerApp.root_dir = os.environ["JLAB_ROOT"]  # noqa: F821
c.ServerApp.open_browser = False  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821
c.LabApp.news_url = None  # noqa: F821
c.LabApp.extension_manager = "readonly"  # noqa: F821
c.LabServerApp.notebook_starts_kernel = True  # noqa: F821
c.FileContentsManager.delete_to_trash = False  # noqa: F821
