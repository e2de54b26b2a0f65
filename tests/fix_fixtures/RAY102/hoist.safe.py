import ray

SCALE = 3


def helper(x):
    return x - 1


# scores one batch
@ray.remote(num_cpus=1)
def score(x, factor=SCALE):
    return helper(x) * factor


def run_batches(batches):
    results = []
    for batch in batches:
        results.append(score.remote(batch))
    return ray.get(results)


def closure(batches, offset):
    for batch in batches:
        # reads `offset`, a local of the enclosing function: no fix
        @ray.remote(num_cpus=1)
        def shifted(x):
            return x + offset

        shifted.remote(batch)


def loop_variable(batches):
    for batch in batches:
        # reads the loop variable: no fix
        @ray.remote(num_cpus=1)
        def bound():
            return batch

        bound.remote()


# its own parameter `x` shadows the loop variable: fixable
@ray.remote(num_cpus=1)
def square(x):
    return x * x


def same_name_as_loop_variable(xs):
    for x in xs:
        ray.get(square.remote(x))


@ray.remote(num_cpus=1)
class Worker:
    def run(self, x):
        return x + 1


@ray.remote(num_cpus=1)
class Coordinator:
    def dispatch(self, xs):
        workers = [Worker.remote() for _ in xs]
        return [w.run.remote(x) for w, x in zip(workers, xs)]


# reads its own name: still safe once it is a module-level function
@ray.remote(num_cpus=1)
def countdown(k):
    return 0 if k == 0 else ray.get(countdown.remote(k - 1))


def recursive(ns):
    for n in ns:
        ray.get(countdown.remote(n))
