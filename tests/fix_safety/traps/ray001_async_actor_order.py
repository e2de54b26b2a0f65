"""RAY001 trap: an async actor's calls interleave once they are all submitted: each call records the
order it finished in, which waiting for one call at a time keeps equal to the submission order."""
import asyncio

import ray


@ray.remote(num_cpus=0)
class Recorder:
    def __init__(self):
        self.finished = []

    async def record(self, i):
        await asyncio.sleep(0.05 * (3 - i))
        self.finished.append(i)
        return list(self.finished)


def main():
    ray.init()
    recorder = Recorder.remote()
    print([ray.get(recorder.record.remote(i)) for i in range(3)])


if __name__ == "__main__":
    main()
