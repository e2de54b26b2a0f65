"""DOC006: an actor that exits once under max_restarts, a task that dies once under max_retries."""

import os
import sys
import time

import ray

MARKER = sys.argv[1]


@ray.remote(max_restarts=1, max_task_retries=0)
class Flaky:
    def crash(self):
        if not os.path.exists(MARKER):
            open(MARKER, "w").close()
            os._exit(1)
        return 1

    def ping(self):
        return 1


@ray.remote(max_retries=2)
def once(path):
    if not os.path.exists(path):
        open(path, "w").close()
        os._exit(1)
    return 2


ray.init()
actor = Flaky.remote()
ray.get(actor.ping.remote())
try:
    ray.get(actor.crash.remote())
except ray.exceptions.RayActorError:
    pass
# the restart takes a while on a loaded machine; meanwhile calls fail with "actor unavailable"
deadline = time.monotonic() + 120
while True:
    try:
        result = ray.get(actor.crash.remote())
        break
    except ray.exceptions.ActorUnavailableError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.5)
print(result, ray.get(once.remote(MARKER + ".task")))
time.sleep(2)
