"""Code that runs inside a parallel node's worker processes, not in mlops: a worker runs on the
interpreter of the node's environment (a build, which holds no mlops), so it imports only the
standard library and is started by its file's path."""
