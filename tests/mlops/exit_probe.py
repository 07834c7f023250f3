"""The end of a script, as the tests of the freeze at exit (a node's overlay, a server's worker)
watch it: its own exit handler, which prints how many objects were frozen when it ran, and an
object in a reference cycle whose finalizer only a garbage collection at shutdown would run
(it prints "cycle collected"). Importable from any test folder, as tool_fixtures is."""

EXIT_PROBE = """
import atexit, gc, os
atexit.register(lambda: os.write(1, f"handler ran, frozen {gc.get_freeze_count()}\\n".encode()))
class Cycle:
    def __del__(self):
        os.write(1, b"cycle collected\\n")
cycle = Cycle()
cycle.me = cycle
del cycle
gc.disable()  # so that only the shutdown could collect it
"""
