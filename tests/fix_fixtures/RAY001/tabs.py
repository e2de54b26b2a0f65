import ray


@ray.remote
def square(x):
	return x * x


def tabs(xs):
	out = []
	for x in xs:
		out.append(ray.get(square.remote(x)))
	if xs:
		squares = [ray.get(square.remote(x)) for x in xs]
		out.extend(squares)
	return out
