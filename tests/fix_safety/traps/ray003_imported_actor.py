"""RAY003 trap: `ray.remote(X)` with X imported. Here X is a class (`string.Template`), so the result is
an actor class: `num_cpus=1` would make each of the three actors hold a CPU for life, and the third is
never placed on a two-CPU cluster. raylint cannot tell an imported class from a function, so there is
no safe fix."""
from string import Template

import ray

RemoteTemplate = ray.remote(Template)


def main():
    ray.init()
    templates = [RemoteTemplate.remote(f"$who has {i}") for i in range(3)]
    print(ray.get([t.substitute.remote(who=f"actor-{i}") for i, t in enumerate(templates)]))


if __name__ == "__main__":
    main()
