"""runtrail for JupyterLab: the prebuilt labextension (no server extension)."""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "runtrail-jupyterlab"}]
