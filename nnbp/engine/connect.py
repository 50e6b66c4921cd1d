"""Reaching a Dask cluster for a run: the scheduler at an address, or a cluster of
this machine's cores started for the run; and the checks that its workers can
run nnbp's tasks.  Errors name where the address came from (``fail``)."""

from __future__ import annotations

import contextlib
import logging
import signal
from typing import Callable, Iterator

from ..errors import NnbpError
from ..cores import cores

CONNECT_SECONDS = 10  # at most, to reach a scheduler (less if Dask's config says so)
WHICH_ADDRESS = ("give the scheduler's address, the one `dask scheduler` prints at its start "
                 "(tcp://HOST:8786), not its dashboard's (:8787)")


@contextlib.contextmanager
def sigint_held() -> Iterator[None]:
    """Ctrl-C held back for the second or so in which a cluster of this machine starts,
    and taken once it is whole (so that the cluster is closed, not left half-made).  A
    Ctrl-C in a terminal goes to every process of the group: the worker processes,
    still importing, would each print a traceback.  So SIGINT is blocked in this thread
    meanwhile: the threads Dask starts then, and the processes they start, inherit the
    mask and never see it (the workers then ignore it: ``dask_setup``).  A Ctrl-C that
    came meanwhile is recorded, and raised again at the end, to whatever handler the
    caller has."""
    import threading

    if threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "pthread_sigmask"):
        yield
        return
    from multiprocessing import resource_tracker

    # started now, not by the first worker: starting it unblocks SIGINT in the thread
    # that does, which then starts the workers (CPython's bpo-33613)
    resource_tracker.ensure_running()
    came = []
    before = signal.signal(signal.SIGINT, lambda signum, frame: came.append(signum))
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # one pending comes in here
        signal.signal(signal.SIGINT, before)
    if came:
        signal.raise_signal(signal.SIGINT)


@contextlib.contextmanager
def connect(address: str, fail: Callable[[str], NnbpError]) -> Iterator:
    """A Dask client of the scheduler at ``address``, or of a cluster of this machine
    started for the run (``local``: one single-threaded worker process per core),
    closed at the end.  ``fail(message)`` makes the error that names where the address
    came from."""
    try:
        import dask
        import distributed
    except ImportError as e:
        raise fail(f"training on a Dask cluster needs Dask ({e}): pip install 'nnbp[dask]'") \
            from None
    # errors reach the user as ours; the client's own (a scheduler gone, a result
    # fetched again from a lost worker) as what they mean to the run
    logging.getLogger("distributed").setLevel(logging.ERROR)
    logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
    with contextlib.ExitStack() as stack:
        if address == "local":
            with sigint_held():
                cluster = stack.enter_context(distributed.LocalCluster(
                    n_workers=cores(), threads_per_worker=1, processes=True,
                    dashboard_address=":0", silence_logs=logging.ERROR, preload=[__name__]))
            client = stack.enter_context(distributed.Client(cluster, set_as_default=False))
        else:
            timeout = min(CONNECT_SECONDS, dask.utils.parse_timedelta(
                dask.config.get("distributed.comm.timeouts.connect")))
            try:
                from distributed.comm.addressing import parse_address
                from distributed.comm.registry import get_backend

                scheme, location = parse_address(address)
                get_backend(scheme)  # a scheme Dask knows: tcp, tls, …
            except ValueError as e:
                raise fail(f"{address} is not a Dask scheduler address ({e})") from None
            if scheme in ("tcp", "tls"):  # a refused connection is known at once
                _ask_identity(address, timeout, _reachable(location, timeout, address, fail),
                              fail)
            try:
                client = distributed.Client(address, timeout=timeout, set_as_default=False)
            except OSError as e:  # TimeoutError is one
                raise fail(f"no Dask scheduler answered at {address} within {timeout:g} s"
                           f"{_reason(e)}; start one there with `dask scheduler`, or "
                           "check the address") from None
            stack.enter_context(client)
        _quiet_cancelled_gathers(client.loop.asyncio_loop)
        check_workers(client, address, fail)
        yield client


def _reachable(location: str, timeout: float, address: str,
               fail: Callable[[str], NnbpError]) -> bool:
    """Fail at once when nothing listens at host:port (Dask would retry until its
    time-out); whether something accepted the connection (False: a time-out or an
    unreachable network, which ``_ask_identity`` says)."""
    import socket

    from distributed.comm.addressing import parse_host_port

    try:
        socket.create_connection(parse_host_port(location), timeout=timeout).close()
    except (ConnectionRefusedError, socket.gaierror) as e:
        raise fail(f"no Dask scheduler answered at {address}{_reason(e)}; start one there "
                   "with `dask scheduler`, or check the address") from None
    except OSError:
        return False
    return True


def _ask_identity(address: str, timeout: float, accepted: bool,
                  fail: Callable[[str], NnbpError]) -> None:
    """Fail unless a Dask scheduler answers at the address within ``timeout`` seconds:
    Dask's own connection, handshake and ``identity`` call, under one deadline.  (Dask's
    Client would wait without end for the handshake of a server that never sends one,
    an HTTP server, and takes the first bytes of any other, an SSH banner, for the
    length of a message of exabytes.)"""
    import asyncio

    from distributed.comm import CommClosedError
    from distributed.comm import connect as dask_connect
    from distributed.security import Security

    async def identity():
        comm = await dask_connect(address, timeout=timeout,
                                  **Security().get_connection_args("client"))
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    try:
        found = asyncio.run(asyncio.wait_for(identity(), timeout))
    except asyncio.TimeoutError:
        if not accepted:
            raise fail(f"no Dask scheduler answered at {address} within {timeout:g} s; start "
                       "one there with `dask scheduler`, or check the address") from None
        found = f"it accepted the connection but did not answer as one within {timeout:g} s"
    except CommClosedError:
        found = "it closed the connection"
    except OSError as e:  # connecting timed out
        raise fail(f"no Dask scheduler answered at {address} within {timeout:g} s"
                   f"{_reason(e)}; start one there with `dask scheduler`, or check the "
                   "address") from None
    except Exception:  # noqa: BLE001 (MemoryError, a garbled message: not Dask's protocol)
        found = "it does not speak Dask's protocol"
    if isinstance(found, dict) and str(found.get("type")).endswith("Scheduler"):
        return  # Dask's Scheduler, or a subclass of it
    if isinstance(found, dict) and isinstance(found.get("type"), str):
        found = f"it is a Dask {found['type'].lower()}"
    elif not isinstance(found, str):
        found = "it does not answer Dask's identity call"
    raise fail(f"what answers at {address} is not a Dask scheduler ({found}); "
               f"{WHICH_ADDRESS}")


def _quiet_cancelled_gathers(loop) -> None:
    """Ctrl-C while the client gathers results leaves Dask's waits for each result
    without a reader; closing the client ends them with ``AllExit``, which asyncio
    would print as a traceback at exit.  Everything else goes to asyncio's handler."""
    from distributed.client import AllExit

    def handler(loop, context):
        if not isinstance(context.get("exception"), AllExit):
            loop.default_exception_handler(context)
    loop.set_exception_handler(handler)


def _reason(e: BaseException | None) -> str:
    """Why a connection failed, as " (connection refused)" or " (name or service not
    known)", from the errors behind Dask's time-out; "" when they do not say."""
    while e is not None:
        if isinstance(e, OSError) and e.strerror:
            return f" ({e.strerror[:1].lower()}{e.strerror[1:]})"
        e = e.__cause__ or e.__context__
    return ""


def check_workers(client, address: str, fail: Callable[[str], NnbpError]) -> None:
    """At least one worker, and every worker running this version of nnbp."""
    from nnbp import __version__

    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except TimeoutError:
        raise fail(f"the Dask scheduler at {address} has no workers; start them with "
                   f"`dask worker {address}` on each machine") from None
    found = client.run(eval, "__import__('nnbp').__version__", on_error="return")
    missing = sorted(w for w, v in found.items() if isinstance(v, BaseException))
    if missing:
        raise fail(f"the Dask worker(s) {', '.join(missing)} cannot import nnbp "
                   f"({found[missing[0]]}): install nnbp[dask] on every machine that runs a "
                   "worker, the same version as here")
    other = sorted(w for w, v in found.items() if v != __version__)
    if other:
        raise fail(f"the Dask worker(s) {', '.join(other)} run nnbp {found[other[0]]}, this "
                   f"machine nnbp {__version__}: install the same version everywhere")


def dask_setup(worker) -> None:
    """Run by each worker of a cluster started for the run (a Dask preload of this
    module): Ctrl-C at a terminal reaches those workers too (were it not blocked in
    them, ``sigint_held``), and they leave it to nnbp, which cancels the epoch, saves
    the model and closes the cluster."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
