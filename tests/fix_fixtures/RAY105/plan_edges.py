import ray


@ray.remote(num_cpus=1)
def load(path):
    return [path] * 3


@ray.remote(num_cpus=1)
def clean(rows, drop=0):
    return rows[drop:]


def after_another_statement(path):
    # the assignment is not the first statement on its line: no fix
    ref = load.remote(path); rows = ray.get(ref)
    return clean.remote(rows)


def continued_line(path):
    ref = load.remote(path); \
        rows = ray.get(ref)
    # a backslash joins the assignment to the statement above it: no fix
    return clean.remote(rows)


def alone_with_a_semicolon(path):
    ref = load.remote(path)
    # a statement line of its own, semicolon and all: fixable
    rows = ray.get(ref);
    return clean.remote(rows)
