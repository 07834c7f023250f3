"""gunicorn's sync worker, keeping the endpoint gateway's connections open between requests.

A deployment's server is reached only through its endpoint's gateway, which reads each request
whole before sending it and each answer whole before passing it on: the buffering proxy that
gunicorn's sync worker waits for before it keeps connections alive. Opening a connection per
request cost the gateway about half its CPU per request, so this worker serves the requests of
one connection in turn. Everything else is the sync worker's, as Azure runs the server: one
request at a time per worker, the scoring script in the main thread (azmlinfsrv's
SCORING_TIMEOUT_MS alarm works only there), and the arbiter's --timeout for a stuck worker.

While a connection is kept, the worker takes no other: so the gateway opens at most one
connection per worker, a connection idle for `--keep-alive` seconds is closed, and a response
says `Connection: close` when someone else (a health probe) waits to be accepted.

A worker ends with its objects frozen out of the garbage collector (as a pipeline node does, see
mlops.environments.overlay): the interpreter's shutdown otherwise runs full collections over
everything the scoring script's libraries made at import (0.6-1.0 s of CPU in a process that
imported MLflow and azure-ai-ml, measured) at every update or delete, to free what the exit frees.

Started as `gunicorn --worker-class mlops_worker.KeepAliveWorker`; needs only gunicorn.
"""

from __future__ import annotations

import atexit
import errno
import gc
import select
import ssl
import sys
from datetime import datetime

from gunicorn import http, util
from gunicorn.http import wsgi
from gunicorn.workers.sync import SyncWorker

_WAIT_SLICE_SECONDS = 0.5


class KeepAliveWorker(SyncWorker):
    """SyncWorker whose connections carry many requests, one after the other."""

    def init_process(self):
        """SyncWorker.init_process, with the freeze at exit registered before the scoring
        script loads: it runs after every exit handler the script or its libraries register."""
        atexit.register(gc.freeze)
        super().init_process()

    def handle(self, listener, client, addr):
        """SyncWorker.handle, looping over the connection's requests."""
        req = None
        try:
            parser = _parser(self.cfg, client, addr)
            keep = True
            while keep and self.alive and self._next_arrives(client):
                self.notify()
                req = next(parser)
                keep = self.handle_request(listener, req, client, addr)
        except http.errors.NoMoreData:
            pass
        except StopIteration:
            pass
        except ssl.SSLError as e:
            self.handle_error(req, client, addr, e)
        except OSError as e:
            if e.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                self.log.exception("Socket error processing request.")
        except BaseException as e:
            self.handle_error(req, client, addr, e)
        finally:
            util.close_graceful(client)

    def _next_arrives(self, client) -> bool:
        """Wait up to --keep-alive seconds for the next request (or the end of the
        connection), telling the arbiter all the while that this worker is alive."""
        waited = 0.0
        while self.alive and waited < max(self.cfg.keepalive, _WAIT_SLICE_SECONDS):
            self.notify()
            readable, _, _ = select.select([client], [], [], _WAIT_SLICE_SECONDS)
            if readable:
                return True
            waited += _WAIT_SLICE_SECONDS
        return False

    def _others_waiting(self) -> bool:
        try:
            readable, _, _ = select.select(self.sockets, [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def handle_request(self, listener, req, client, addr) -> bool:
        """SyncWorker.handle_request, but the connection is kept when HTTP/1.1 allows it.

        Returns:
            Whether the connection may carry another request.
        """
        environ = {}
        resp = None
        try:
            self.cfg.pre_request(self, req)
            request_start = datetime.now()
            resp, environ = wsgi.create(req, client, addr, listener.getsockname(), self.cfg)
            self.nr += 1
            if self.nr >= self.max_requests:
                self.log.info("Autorestarting worker after current request.")
                self.alive = False
            if not self.alive or not self.cfg.keepalive or self._others_waiting():
                resp.force_close()
            respiter = self.wsgi(environ, resp.start_response)
            try:
                if isinstance(respiter, environ["wsgi.file_wrapper"]):
                    resp.write_file(respiter)
                else:
                    for item in respiter:
                        resp.write(item)
                resp.close()
            finally:
                request_time = datetime.now() - request_start
                self.log.access(resp, req, environ, request_time)
                if hasattr(respiter, "close"):
                    respiter.close()
            return not resp.should_close()
        except OSError:
            util.reraise(*sys.exc_info())
        except Exception:
            if resp and resp.headers_sent:
                self.log.exception("Error handling request")
                util.close_graceful(client)
                raise StopIteration() from None
            raise
        finally:
            try:
                self.cfg.post_request(self, req, environ, resp)
            except Exception:
                self.log.exception("Exception in post_request hook")
        return False


def _parser(cfg, client, addr):
    get_parser = getattr(http, "get_parser", None)  # gunicorn >= 23; older ones have only this
    return get_parser(cfg, client, addr) if get_parser else http.RequestParser(cfg, client, addr)
