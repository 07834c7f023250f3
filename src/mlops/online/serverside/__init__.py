"""Code that runs inside a deployment's inference server, not in mlops: its folder is put on the
server's PYTHONPATH, so it imports nothing from mlops (the server may run in another Python)."""
