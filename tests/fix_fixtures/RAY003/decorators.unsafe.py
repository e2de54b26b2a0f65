import ray
import torch


# a bare task: the default made explicit (safe)
@ray.remote(num_cpus=1)
def preprocess(record):
    return record.strip()


# existing options are kept
@ray.remote(max_retries=3, num_cpus=1)  # retried on worker failure
def fetch(url):
    return url


# one option per line, with a trailing comma
@ray.remote(
    max_retries=3,
    num_returns=2,
    num_cpus=1,
)
def split(pair):
    return pair[0], pair[1]


# a counter actor: `num_cpus=0` (unsafe), never a CPU held for life
@ray.remote(num_cpus=0)
class Counter:
    def __init__(self):
        self.value = 0


# GPU use without num_gpus: unsafe
@ray.remote(num_cpus=2, num_gpus=1)
def embed(batch):
    return torch.as_tensor(batch).cuda()


def tokenize(text):
    return text.split()


# the functional form
tokenize_remote = ray.remote(num_cpus=1)(tokenize)
tokenize_retry = ray.remote(max_retries=1, num_cpus=1)(tokenize)


# a comment after the opening parenthesis stays where it is, once
@ray.remote(  # retried on worker failure
    max_retries=3,
    num_cpus=1,
)
def upload(blob):
    return blob


# one option per line, no trailing comma
@ray.remote(
    max_retries=3,
    num_returns=2,
    num_cpus=1
)
def unpack(pair):
    return pair[0], pair[1]


# arguments aligned with the opening parenthesis
@ray.remote(max_retries=3,
            num_returns=2,
            num_cpus=1)
def unpack_aligned(pair):
    return pair[0], pair[1]


# a comment after the last argument
@ray.remote(
    max_retries=3,  # retried on worker failure
    num_cpus=1
)
def unpack_commented(pair):
    return pair[0], pair[1]


# a comment after the last argument and its trailing comma
@ray.remote(
    max_retries=3,  # retried on worker failure
    num_cpus=1,
)
def unpack_commented_comma(pair):
    return pair[0], pair[1]
