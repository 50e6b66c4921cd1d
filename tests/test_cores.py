"""The threads beside the main one: all made at once, and a Ctrl-C while they are made
is raised once they are, so that the process can still exit."""

from __future__ import annotations

import subprocess
import sys

from conftest import nnbp_env

CTRL_C_WHILE_THE_POOL_IS_MADE = """if True:
    import concurrent.futures, os, signal, sys
    real_submit = concurrent.futures.ThreadPoolExecutor.submit
    def submit(self, *args, **kwargs):  # a Ctrl-C as the first thread starts
        concurrent.futures.ThreadPoolExecutor.submit = real_submit
        os.kill(os.getpid(), signal.SIGINT)
        return real_submit(self, *args, **kwargs)
    concurrent.futures.ThreadPoolExecutor.submit = submit
    from nnbp import cores
    try:
        cores.pool()
    except KeyboardInterrupt:
        print("interrupted", len(cores._pool._threads), flush=True)
    print(sorted(t.name for t in concurrent.futures.thread._threads_queues), flush=True)
"""


def test_a_ctrl_c_while_the_threads_are_made_comes_after_them_and_the_process_exits():
    r = subprocess.run([sys.executable, "-c", CTRL_C_WHILE_THE_POOL_IS_MADE], capture_output=True,
                       text=True, timeout=30, env=nnbp_env())
    assert r.returncode == 0, r.stderr
    n = int(r.stdout.split()[1])
    assert r.stdout.splitlines() == [f"interrupted {n}", str([f"nnbp_{k}" for k in range(n)])]


def test_in_order_gives_every_result_in_order_and_starts_no_thread_for_one_item():
    from nnbp import cores

    assert list(cores.in_order(lambda x: x * x, range(50))) == [x * x for x in range(50)]
    assert list(cores.in_order(lambda x: -x, [7])) == [-7]
    assert list(cores.in_order(lambda x: x, [])) == []
